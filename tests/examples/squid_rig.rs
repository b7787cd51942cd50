//! A real squid on loopback for trying the `egress` CLI by hand: loopback HTTP and HTTPS
//! origins (certificate from a throwaway CA, written to a file), and a private squid whose
//! auth listener asks for Basic or Digest. Prints the URLs and the environment to use,
//! then serves until stdin closes (Ctrl-D) or the process is stopped.
//!
//! ```text
//! cargo run -p egress-tests --example squid_rig -- digest
//! ```
//!
//! Exits 2 when squid is not installed (install it with `scripts/install-test-deps`).

use std::io::Read;
use std::process::ExitCode;

use egress_tests::real_proxy::{BasicAuth, Rig};

const USER: &str = "egress";
const PASSWORD: &str = "rig-secret";

fn main() -> ExitCode {
    let scheme = std::env::args().nth(1).unwrap_or_else(|| "digest".into());
    let rig = Rig::new("squid rig CA");
    let credentials = BasicAuth::new(USER, PASSWORD);
    let squid = match scheme.as_str() {
        "digest" => rig.squid_digest(credentials),
        "basic" => rig.squid(Some(credentials), false),
        other => {
            eprintln!("squid_rig: unknown scheme {other:?}; use basic or digest");
            return ExitCode::from(2);
        }
    };
    let Some(squid) = squid else {
        eprintln!("squid_rig: squid is not installed; run scripts/install-test-deps");
        return ExitCode::from(2);
    };
    let ca_file = squid.dir().join("origin-ca.pem");
    if let Err(error) = std::fs::write(&ca_file, rig.ca.cert_pem()) {
        eprintln!("squid_rig: cannot write {}: {error}", ca_file.display());
        return ExitCode::from(1);
    }
    let port = squid.auth_port().unwrap_or_default();
    println!(
        "squid ({scheme} auth for {USER}) on 127.0.0.1:{port}, logs in {}",
        squid.dir().display()
    );
    println!("HTTP origin  {}", rig.http.url("/hello"));
    println!(
        "HTTPS origin {} (CA in {})",
        rig.https.url("/hello"),
        ca_file.display()
    );
    println!();
    println!("export http_proxy=http://{USER}:{PASSWORD}@127.0.0.1:{port} https_proxy=$http_proxy");
    println!(
        "egress check --cacert {} {}",
        ca_file.display(),
        rig.https.url("/hello")
    );
    println!("serving until stdin closes");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}
