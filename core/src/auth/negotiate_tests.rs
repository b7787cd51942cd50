//! Negotiate rounds in [`ProxyAuth`] against a scripted security context: which scheme is
//! chosen, the header values, continuation and refusal, the final token of mutual
//! authentication, fallbacks, and that no token shows in `Debug` or `Display`.

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;

use super::fake::{FakeProvider, done, send};
use crate::Credentials;
use crate::auth::{AuthChoice, AuthProblem, Challenges, ProxyAuth, RoundInput, SchemeKind};

const INPUT: RoundInput<'static> = RoundInput {
    method: "CONNECT",
    uri: "t.example:443",
    random: [3; 16],
    unix_time: 0,
};

fn challenges(values: &[&str]) -> Challenges {
    Challenges::parse(values.iter().map(|v| v.as_bytes()))
}

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn with(provider: &Arc<FakeProvider>, choice: AuthChoice) -> ProxyAuth {
    ProxyAuth::new(choice).with_negotiate(provider.clone(), "proxy.corp")
}

#[test]
fn negotiate_is_the_strongest_and_needs_no_credentials() {
    let offered = challenges(&[
        "Basic realm=\"corp\"",
        "Digest realm=\"corp\", nonce=\"n\", qop=\"auth\"",
        "NTLM",
        "Negotiate",
    ]);
    let creds = Credentials::from_encoded("u", "secret");
    for credentials in [None, Some(&creds)] {
        let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
        let mut auth = with(&provider, AuthChoice::Any);
        let value = auth.respond(&offered, credentials, &INPUT);
        assert_eq!(value, Ok(format!("Negotiate {}", b64("client-1"))));
        assert_eq!(auth.used(), Some(SchemeKind::Negotiate));
        assert_eq!(provider.asked(), ["start HTTP@proxy.corp", "step -"]);
        assert!(
            !auth.is_connection_bound(),
            "the first token may go anywhere"
        );
    }
    // Without a provider, the next strongest: NTLM (with credentials).
    let mut plain = ProxyAuth::new(AuthChoice::Any);
    let value = plain.respond(&offered, Some(&creds), &INPUT);
    assert!(value.is_ok_and(|v| v.starts_with("NTLM ")));
    // Pinned to Negotiate without a provider: nothing to answer with.
    let mut pinned = ProxyAuth::new(AuthChoice::Negotiate);
    assert_eq!(
        pinned.respond(&offered, Some(&creds), &INPUT),
        Err(AuthProblem::Unsupported)
    );
    // Pinned to another scheme, Negotiate is never started.
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let mut digest = with(&provider, AuthChoice::Digest);
    assert!(
        digest
            .respond(&offered, Some(&creds), &INPUT)
            .is_ok_and(|v| v.starts_with("Digest "))
    );
    assert!(provider.asked().is_empty());
}

#[test]
fn pinned_negotiate_sends_nothing_before_the_challenge() {
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let mut auth = with(&provider, AuthChoice::Negotiate);
    let creds = Credentials::from_encoded("u", "secret");
    assert_eq!(auth.first_value(Some(&creds), &INPUT), None);
    assert!(provider.asked().is_empty());
    let offered = challenges(&["Negotiate", "Basic realm=\"corp\""]);
    assert!(auth.respond(&offered, None, &INPUT).is_ok());
    assert_eq!(AuthChoice::parse("NEGOTIATE"), Some(AuthChoice::Negotiate));
}

#[test]
fn a_continuation_token_is_stepped_and_binds_the_connection() {
    let provider = Arc::new(FakeProvider::new(vec![
        send("client-1", false),
        send("client-2", false),
        done(),
    ]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    let again = challenges(&[&format!("Negotiate {}", b64("server-1"))]);
    assert_eq!(
        auth.respond(&again, None, &INPUT),
        Ok(format!("Negotiate {}", b64("client-2")))
    );
    assert!(auth.is_connection_bound());
    let accepted = challenges(&[&format!("Negotiate {}", b64("server-final"))]);
    assert_eq!(auth.established(&accepted), Ok(()));
    assert_eq!(
        provider.asked(),
        [
            "start HTTP@proxy.corp",
            "step -",
            "step server-1",
            "step server-final"
        ]
    );
}

#[test]
fn a_bare_negotiate_after_a_token_is_a_refused_ticket() {
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let mut auth = with(&provider, AuthChoice::Any);
    let offered = challenges(&["Negotiate", "Basic realm=\"corp\""]);
    assert!(auth.respond(&offered, None, &INPUT).is_ok());
    assert_eq!(
        auth.respond(&offered, None, &INPUT),
        Err(AuthProblem::NegotiateRejected)
    );
    // Nor may a refused Negotiate fall back to Basic with the URL's password.
    let creds = Credentials::from_encoded("u", "secret");
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(auth.respond(&offered, Some(&creds), &INPUT).is_ok());
    let basic_only = challenges(&["Basic realm=\"corp\""]);
    assert_eq!(
        auth.respond(&basic_only, Some(&creds), &INPUT),
        Err(AuthProblem::NegotiateRejected)
    );
    // A token the context completes on, yet a 407: refused too.
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false), done()]));
    let mut auth = with(&provider, AuthChoice::Negotiate);
    assert!(auth.respond(&offered, None, &INPUT).is_ok());
    let token = challenges(&[&format!("Negotiate {}", b64("server-1"))]);
    assert_eq!(
        auth.respond(&token, None, &INPUT),
        Err(AuthProblem::NegotiateRejected)
    );
}

#[test]
fn mutual_authentication_checks_the_final_token() {
    let final_token = challenges(&[&format!("Negotiate {}", b64("server-final"))]);
    // A final token that does not verify.
    let provider = Arc::new(FakeProvider::new(vec![
        send("client-1", false),
        Err(AuthProblem::Gssapi { major: 6, minor: 7 }),
    ]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    assert_eq!(
        auth.established(&final_token),
        Err(AuthProblem::MutualAuthFailed)
    );
    // No final token at all (squid on CONNECT): accepted.
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    assert_eq!(auth.established(&challenges(&[])), Ok(()));
    assert_eq!(provider.asked().len(), 2, "nothing stepped");
    // A final token for a context that said it was complete already: not the peer we asked.
    let provider = Arc::new(FakeProvider::new(vec![send("client-1", true)]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    assert_eq!(
        auth.established(&final_token),
        Err(AuthProblem::MutualAuthFailed)
    );
    // A context that still wants to send after the proxy said yes cannot finish.
    let provider = Arc::new(FakeProvider::new(vec![
        send("client-1", false),
        send("client-2", false),
    ]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    assert_eq!(
        auth.established(&final_token),
        Err(AuthProblem::MutualAuthFailed)
    );
}

#[test]
fn start_failures_are_typed_and_fall_back_only_to_credential_schemes_stronger_than_basic() {
    let creds = Credentials::from_encoded("u", "secret");
    let ntlm_too = challenges(&["Negotiate", "NTLM", "Basic realm=\"corp\""]);
    let basic_too = challenges(&["Negotiate", "Basic realm=\"corp\""]);
    for problem in [
        AuthProblem::NoKerberosTicket,
        AuthProblem::UnknownServicePrincipal,
    ] {
        let provider = Arc::new(FakeProvider::failing(problem));
        // Any + credentials + NTLM offered: NTLM instead.
        let mut auth = with(&provider, AuthChoice::Any);
        let value = auth.respond(&ntlm_too, Some(&creds), &INPUT);
        assert!(value.is_ok_and(|v| v.starts_with("NTLM ")), "{problem:?}");
        assert_eq!(auth.used(), Some(SchemeKind::Ntlm));
        // Only Basic besides: the Negotiate problem, never a silent Basic.
        let mut auth = with(&provider, AuthChoice::Any);
        assert_eq!(auth.respond(&basic_too, Some(&creds), &INPUT), Err(problem));
        // No credentials, or pinned: the Negotiate problem.
        let mut auth = with(&provider, AuthChoice::Any);
        assert_eq!(auth.respond(&ntlm_too, None, &INPUT), Err(problem));
        let mut auth = with(&provider, AuthChoice::Negotiate);
        assert_eq!(auth.respond(&ntlm_too, Some(&creds), &INPUT), Err(problem));
        assert_eq!(auth.used(), None);
    }
    // Any other GSSAPI failure is not a reason to try something else.
    let gss = AuthProblem::Gssapi {
        major: 13 << 16,
        minor: 5,
    };
    let provider = Arc::new(FakeProvider::failing(gss));
    let mut auth = with(&provider, AuthChoice::Any);
    assert_eq!(auth.respond(&ntlm_too, Some(&creds), &INPUT), Err(gss));
    // A first step that fails is typed the same way.
    let provider = Arc::new(FakeProvider::new(vec![Err(
        AuthProblem::UnknownServicePrincipal,
    )]));
    let mut auth = with(&provider, AuthChoice::Negotiate);
    assert_eq!(
        auth.respond(&basic_too, None, &INPUT),
        Err(AuthProblem::UnknownServicePrincipal)
    );
}

#[test]
fn a_malformed_or_oversized_server_token_is_a_bad_challenge() {
    for bad in [
        String::from("Negotiate !!!not-base64!!!"),
        format!("Negotiate {}", "A".repeat(super::MAX_TOKEN_LEN / 3 * 4 + 8)),
    ] {
        let provider = Arc::new(FakeProvider::new(vec![send("client-1", false)]));
        let mut auth = with(&provider, AuthChoice::Any);
        assert!(
            auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
                .is_ok()
        );
        assert_eq!(
            auth.respond(&challenges(&[&bad]), None, &INPUT),
            Err(AuthProblem::BadChallenge)
        );
    }
}

#[test]
fn a_new_connection_keeps_a_fresh_context_and_forgets_one_in_progress() {
    let provider = Arc::new(FakeProvider::new(vec![
        send("client-1", false),
        send("client-2", false),
    ]));
    let mut auth = with(&provider, AuthChoice::Any);
    assert!(
        auth.respond(&challenges(&["Negotiate"]), None, &INPUT)
            .is_ok()
    );
    auth.next_connection();
    assert_eq!(
        auth.used(),
        Some(SchemeKind::Negotiate),
        "the token goes again"
    );
    let again = challenges(&[&format!("Negotiate {}", b64("server-1"))]);
    assert!(auth.respond(&again, None, &INPUT).is_ok());
    assert!(auth.is_connection_bound());
    auth.next_connection();
    assert_eq!(auth.used(), None, "a context mid-exchange cannot move");
    assert!(!auth.is_connection_bound());
}

#[test]
fn no_token_shows_in_debug_or_display() {
    let provider = Arc::new(FakeProvider::new(vec![
        send("client-secret-token", false),
        send("client-secret-two", false),
    ]));
    let mut auth = with(&provider, AuthChoice::Any);
    let first = auth.respond(&challenges(&["Negotiate"]), None, &INPUT);
    let server = format!("Negotiate {}", b64("server-secret-token"));
    let offered = challenges(&[&server]);
    let second = auth.respond(&offered, None, &INPUT);
    let step = send("client-secret-token", false).unwrap_or_else(|e| panic!("{e}"));
    let shown = format!("{auth:?} {offered:?} {step:?}");
    for secret in [
        "secret",
        &b64("client-secret-token"),
        &b64("server-secret-token"),
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("HTTP@proxy.corp"), "{shown}");
    assert!(first.is_ok() && second.is_ok());
    let problems: Vec<String> = [
        AuthProblem::NoKerberosTicket,
        AuthProblem::UnknownServicePrincipal,
        AuthProblem::NegotiateRejected,
        AuthProblem::MutualAuthFailed,
        AuthProblem::Gssapi { major: 1, minor: 2 },
    ]
    .iter()
    .map(|p| format!("{p} {}", p.as_str()))
    .collect();
    assert!(problems[0].contains("kinit"), "{}", problems[0]);
    assert!(problems[1].contains("HTTP/<proxy host>"), "{}", problems[1]);
    assert!(
        problems[4].starts_with("GSSAPI failed (major 0x00000001, minor 0x00000002)"),
        "{}",
        problems[4]
    );
}
