//! egress on a machine with no internet: a loopback HTTP origin, a loopback HTTPS origin
//! (certificate from a throwaway CA) and a loopback forward proxy that demands a password.
//! egress-sync is configured as the environment below would configure it, shows its route
//! decision for a bypassed, a forwarded and a tunnelled URL, and fetches each one.
//!
//! ```text
//! cargo run -p egress-tests --example demo
//! ```
//!
//! Exits 0 only when all three fetches worked and each went the way it was routed (the proxy
//! saw the forwarded request and the CONNECT, and nothing for the bypassed one).

use std::process::ExitCode;

use egress_sync::{Agent, RouteInfo};
use egress_tests::{HELLO_BODY, Origin, ProxyOptions, TestCa, TestProxy};

const USER: &str = "demo";
const PASSWORD: &str = "demo-secret";

/// One URL to route and fetch, and what the proxy should have seen for it.
struct Case {
    label: &'static str,
    url: String,
    expect_route: &'static str,
}

fn main() -> ExitCode {
    let ca = TestCa::new("egress demo CA");
    let http_origin = Origin::http();
    let https_origin = Origin::https(&ca);
    let proxy = TestProxy::start(ProxyOptions::default().auth(USER, PASSWORD));
    let proxy_url = proxy
        .url()
        .replacen("://", &format!("://{USER}:{PASSWORD}@"), 1);
    let no_proxy = "localhost, .internal.example";

    println!("loopback servers:");
    println!("  HTTP origin   {}", http_origin.url("/"));
    println!(
        "  HTTPS origin  {}  (certificate from a throwaway CA)",
        https_origin.url("/")
    );
    println!("  proxy         {}  (requires Basic auth)", proxy.url());
    println!();
    println!("configuration, as if from the environment:");
    let shown = proxy.url().replacen("://", &format!("://{USER}:***@"), 1);
    println!("  http_proxy={shown}");
    println!("  https_proxy={shown}");
    println!("  no_proxy={no_proxy}");
    println!();

    let agent = match Agent::builder()
        .http_proxy(&proxy_url)
        .https_proxy(&proxy_url)
        .no_proxy(no_proxy)
        .add_ca_pem(ca.cert_pem().as_bytes())
        .and_then(|builder| builder.build())
    {
        Ok(agent) => agent,
        Err(error) => {
            eprintln!("demo: cannot build the agent: {error}");
            return ExitCode::FAILURE;
        }
    };

    let cases = [
        Case {
            label: "bypassed",
            url: http_origin.url_with_host("localhost", "/hello"),
            expect_route: "direct",
        },
        Case {
            label: "forwarded",
            url: http_origin.url("/hello"),
            expect_route: "forward",
        },
        Case {
            label: "tunnelled",
            url: https_origin.url("/hello"),
            expect_route: "tunnel",
        },
    ];

    let mut ok = 0;
    for case in &cases {
        let before = (proxy.requests().len(), proxy.connect_targets().len());
        match run_case(&agent, case) {
            Ok(info) => {
                let after = (proxy.requests().len(), proxy.connect_targets().len());
                let via_proxy = after.0 > before.0;
                let tunnelled = after.1 > before.1;
                let consistent = match info.route {
                    "direct" => !via_proxy,
                    "forward" => via_proxy && !tunnelled,
                    _ => tunnelled,
                };
                if consistent && info.route == case.expect_route {
                    ok += 1;
                    println!("  ok: the proxy saw {}", proxy_saw(via_proxy, tunnelled));
                } else {
                    println!(
                        "  FAILED: expected {}, the proxy saw {}",
                        case.expect_route,
                        proxy_saw(via_proxy, tunnelled)
                    );
                }
            }
            Err(error) => println!("  FAILED: {error}"),
        }
        println!();
    }
    println!("{ok} of {} routes worked", cases.len());
    if ok == cases.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn proxy_saw(via_proxy: bool, tunnelled: bool) -> &'static str {
    match (via_proxy, tunnelled) {
        (false, _) => "nothing",
        (true, false) => "an absolute-form request",
        (true, true) => "a CONNECT",
    }
}

/// Prints the route decision for the case, fetches it and prints the answer.
fn run_case(agent: &Agent, case: &Case) -> Result<RouteInfo, Box<dyn std::error::Error>> {
    let info = agent.route(&case.url)?;
    println!("{} {}", case.label, case.url);
    let proxy = info
        .proxy
        .as_deref()
        .map(|p| format!(" via {p}"))
        .unwrap_or_default();
    println!("  route:  {}{proxy}", info.route);
    println!("  reason: {}", info.reason);
    let mut response = agent.get(&case.url).call()?;
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(egress_sync::Error::from)?;
    println!(
        "  fetch:  {} {:?}{}",
        response.status(),
        body.trim_end(),
        if body == HELLO_BODY {
            ""
        } else {
            " (unexpected body)"
        }
    );
    if body != HELLO_BODY {
        return Err("the origin's answer was not the expected body".into());
    }
    Ok(info)
}
