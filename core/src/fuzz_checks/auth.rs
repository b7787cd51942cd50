//! `auth`: hostile `Proxy-Authenticate` values through challenge parsing and every scheme's
//! next value: `ProxyAuth` round after round, `Digest` directly, NTLM CHALLENGE_MESSAGEs
//! with lying offsets and lengths.
//!
//! Properties: no panic; every produced value is bounded by what came in and is visible
//! ASCII and spaces only (what `ConnectRequest` sends: no CR, LF, NUL); the password is in
//! no value, error or `Debug`; a Digest response equals one computed independently here
//! from the challenge's parameters; the RFC 7616 §3.9.1 vectors hold (checked once).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::Digest as _;

use super::Input;
use crate::auth::challenge::{MAX_CHALLENGES, MAX_PARAMS};
use crate::auth::digest::Digest;
use crate::auth::ntlm::{NtlmClient, parse_challenge};
use crate::auth::{AuthChoice, Challenges, MAX_ROUNDS, ProxyAuth, RoundInput};
use crate::credentials::Credentials;

/// The password, looked for in everything shown or sent.
const MARKER: &str = "Pw0rdMarker";
const USERS: [&str; 3] = ["user", "dom%5Cuser", "a%22b%5C"];
const URIS: [&str; 3] = ["example.com:443", "[2001:db8::1]:8443", "/dir/index.html"];

static VECTORS_CHECKED: AtomicBool = AtomicBool::new(false);

/// Decodes a flags byte (bits 0-1: auth choice, bits 2-3: user, bits 4-5: request URI), a
/// random byte, the Unix time (two bytes), then fields: each a challenge value, rounds
/// separated by empty fields; the last field is also an NTLM CHALLENGE_MESSAGE's bytes.
pub fn check_auth(data: &[u8]) {
    if !VECTORS_CHECKED.swap(true, Ordering::Relaxed) {
        check_rfc7616_vectors();
    }
    let mut input = Input::new(data);
    let flags = input.byte();
    let choice = [
        AuthChoice::Any,
        AuthChoice::Basic,
        AuthChoice::Digest,
        AuthChoice::Ntlm,
    ][usize::from(flags & 3)];
    let user = USERS[usize::from(flags >> 2 & 3) % USERS.len()];
    let uri = URIS[usize::from(flags >> 4 & 3) % URIS.len()];
    let random = [input.byte(); 16];
    let unix_time = u64::from(input.u16()) * 1000;
    let credentials = Credentials::from_encoded(user, MARKER);
    let round = RoundInput {
        method: if uri.starts_with('/') {
            "GET"
        } else {
            "CONNECT"
        },
        uri,
        random,
        unix_time,
    };
    let mut rounds: Vec<Vec<&[u8]>> = Vec::new();
    let mut current = Vec::new();
    let mut last: &[u8] = &[];
    while !input.is_empty() {
        let field = input.field();
        last = field;
        if field.is_empty() {
            rounds.push(core::mem::take(&mut current));
        } else {
            current.push(field);
        }
    }
    rounds.push(current);
    let bound = data.len() * 3 + 1024;

    // The whole scheme negotiation, round after round.
    let mut auth = ProxyAuth::new(choice);
    if let Some(value) = auth.first_value(Some(&credentials), &round) {
        check_value(&value, bound);
    }
    let mut answered = 0;
    for values in &rounds {
        let challenges = Challenges::parse(values.iter().copied());
        check_challenges(&challenges);
        match auth.respond(&challenges, Some(&credentials), &round) {
            Ok(value) => {
                answered += 1;
                check_value(&value, bound);
                if value.starts_with("Digest ") {
                    check_digest_response(&value, &challenges, user, &round);
                }
            }
            Err(problem) => check_shown(&format!("{problem} {problem:?} {}", problem.as_str())),
        }
        check_shown(&format!("{auth:?}"));
    }
    assert!(
        answered <= usize::from(MAX_ROUNDS),
        "{answered} rounds answered"
    );
    let anonymous =
        ProxyAuth::new(choice).respond(&Challenges::parse(rounds[0].iter().copied()), None, &round);
    assert!(anonymous.is_err(), "answered without credentials");

    // Each Digest challenge directly, twice (the nonce count goes up).
    let all: Vec<&[u8]> = rounds.iter().flatten().copied().collect();
    let challenges = Challenges::parse(all.iter().copied());
    for challenge in challenges.iter().filter(|c| c.is("Digest")) {
        if let Ok(mut digest) = Digest::from_challenge(challenge, String::from("c0ffee")) {
            check_shown(&format!("{digest:?}"));
            for nc in 1..=2 {
                let value = digest.authorization(&credentials, round.method, round.uri);
                check_value(&value, bound);
                if let Some(got) = quoted_or_token(&value, "nc") {
                    assert_eq!(got, format!("{nc:08x}"), "nonce count in {value:?}");
                }
            }
        }
    }

    // NTLM: the raw bytes as a CHALLENGE_MESSAGE, then the same as the proxy's token.
    if let Ok(server) = parse_challenge(last) {
        assert!(
            server.target_info.len() <= last.len(),
            "target info outgrew the message"
        );
    }
    let mut encoded = alloc::vec![0u8; last.len().div_ceil(3) * 4];
    let n = STANDARD.encode_slice(last, &mut encoded).unwrap_or(0);
    let token = String::from_utf8_lossy(&encoded[..n]).into_owned();
    let mut ntlm = NtlmClient::start(&credentials).0;
    match ntlm.authenticate(&token, &credentials, &round) {
        Ok(value) => {
            check_value(&value, bound * 2 + 512);
            assert!(value.starts_with("NTLM "), "{value}");
        }
        Err(problem) => check_shown(&format!("{problem} {problem:?}")),
    }
    assert!(
        ntlm.authenticate(&token, &credentials, &round).is_err(),
        "NTLM answered twice"
    );
}

fn check_shown(text: &str) {
    assert!(!text.contains(MARKER), "password shown: {text}");
}

/// A `Proxy-Authorization` value: bounded, sendable, without the password.
fn check_value(value: &str, bound: usize) {
    assert!(value.len() <= bound, "a {}-byte value", value.len());
    if let Some(at) = value
        .bytes()
        .position(|b| !(b.is_ascii_graphic() || b == b' '))
    {
        panic!("byte {:#04x} at {at} in {value:?}", value.as_bytes()[at]);
    }
    check_shown(value);
}

fn check_challenges(challenges: &Challenges) {
    assert!(challenges.iter().count() <= MAX_CHALLENGES);
    let shown = format!("{challenges:?}");
    assert!(shown.len() <= 64 * 1024 + 256 * (MAX_CHALLENGES * MAX_PARAMS));
}

/// DIFFERENTIAL CHECK: recomputes `response=` of a Digest value (RFC 7616 §3.4.1) from the
/// challenge parameters the value names, with the hash crates used directly.
fn check_digest_response(value: &str, challenges: &Challenges, user: &str, round: &RoundInput) {
    let field = |name: &str| -> Option<String> { quoted_or_token(value, name) };
    let nonce = field("nonce").unwrap_or_else(|| panic!("no nonce in {value:?}"));
    let realm = field("realm").unwrap_or_default();
    let Some(challenge) = challenges.iter().filter(|c| c.is("Digest")).find(|c| {
        c.param("nonce") == Some(nonce.as_str()) && c.param("realm").unwrap_or("") == realm
    }) else {
        panic!("{value:?} names no challenge's nonce and realm");
    };
    // The algorithm the value names (the strongest of several challenges was picked).
    let algorithm = field("algorithm").unwrap_or_else(|| String::from("MD5"));
    let sha = algorithm.to_ascii_uppercase().starts_with("SHA-256");
    let sess = algorithm.to_ascii_uppercase().ends_with("-SESS");
    let h = |parts: &[&[u8]]| -> String {
        let mut joined = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                joined.push(b':');
            }
            joined.extend_from_slice(part);
        }
        let digest: Vec<u8> = if sha {
            sha2::Sha256::digest(&joined).to_vec()
        } else {
            md5::Md5::digest(&joined).to_vec()
        };
        digest.iter().map(|b| format!("{b:02x}")).collect()
    };
    let decoded_user = Credentials::from_encoded(user, MARKER).decoded_user();
    let cnonce = field("cnonce").unwrap_or_default();
    let mut ha1 = h(&[&decoded_user, realm.as_bytes(), MARKER.as_bytes()]);
    if sess {
        ha1 = h(&[ha1.as_bytes(), nonce.as_bytes(), cnonce.as_bytes()]);
    }
    let ha2 = h(&[round.method.as_bytes(), round.uri.as_bytes()]);
    let expected = match field("qop") {
        Some(qop) => {
            let nc = field("nc").unwrap_or_default();
            h(&[
                ha1.as_bytes(),
                nonce.as_bytes(),
                nc.as_bytes(),
                cnonce.as_bytes(),
                qop.as_bytes(),
                ha2.as_bytes(),
            ])
        }
        None => h(&[ha1.as_bytes(), nonce.as_bytes(), ha2.as_bytes()]),
    };
    assert_eq!(
        field("response").as_deref(),
        Some(expected.as_str()),
        "Digest response differs for {challenge:?}"
    );
}

/// The value of `name=` in a Digest credentials value, read as a list of `name=value`
/// (quoted strings unescaped, or tokens) from the start, so a name inside a quoted value
/// is never taken for a parameter.
fn quoted_or_token(value: &str, name: &str) -> Option<String> {
    let mut rest = value.strip_prefix("Digest ")?;
    loop {
        let (key, after) = rest.split_once('=')?;
        let mut text = String::new();
        if let Some(quoted) = after.strip_prefix('"') {
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => text.push(chars.next()?.1),
                    (at, '"') => break at + 1,
                    (_, c) => text.push(c),
                }
            };
            rest = &quoted[end..];
        } else {
            let end = after.find(',').unwrap_or(after.len());
            text.push_str(&after[..end]);
            rest = &after[end..];
        }
        if key.trim() == name {
            return Some(text);
        }
        rest = rest.strip_prefix(", ")?;
    }
}

/// RFC 7616 §3.9.1 (Mufasa, "Circle of Life", GET /dir/index.html): the same vectors as
/// the unit tests in `auth::digest`.
fn check_rfc7616_vectors() {
    const CNONCE: &str = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let credentials = Credentials::from_encoded("Mufasa", "Circle%20of%20Life");
    for (algorithm, expected) in [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        (
            "SHA-256",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
    ] {
        let value = format!(
            "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", \
             algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", \
             opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        );
        let challenges = Challenges::parse([value.as_bytes()]);
        let challenge = challenges
            .find("Digest")
            .unwrap_or_else(|| panic!("RFC 7616 challenge not parsed"));
        let mut digest = Digest::from_challenge(challenge, String::from(CNONCE))
            .unwrap_or_else(|problem| panic!("RFC 7616 {algorithm}: {problem}"));
        let value = digest.authorization(&credentials, "GET", "/dir/index.html");
        assert_eq!(
            quoted_or_token(&value, "response").as_deref(),
            Some(expected),
            "RFC 7616 {algorithm}"
        );
    }
}
