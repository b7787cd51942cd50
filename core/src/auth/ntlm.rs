//! NTLMv2 over HTTP (MS-NLMP): negotiate → challenge → authenticate, on one connection.
//!
//! ```text
//!   start ─► "NTLM <NEGOTIATE>" ─► 407 "NTLM <CHALLENGE>" ─► authenticate ─► "NTLM <AUTHENTICATE>"
//! ```
//!
//! Only NTLMv2 responses are ever computed (NTOWFv2, NTProofStr, LMv2); a challenge without
//! target information is what an NTLMv1/LM-only server sends and is refused. No key exchange
//! and no signing or sealing are requested: HTTP needs the authentication only. The domain
//! comes from a `DOMAIN\user` user name; anything else is the user name as given.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use md4::{Digest as _, Md4};
use md5::Md5;

use super::error::AuthProblem;
use super::session::RoundInput;
use crate::credentials::Credentials;

const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const UNICODE: u32 = 0x0000_0001;
const REQUEST_TARGET: u32 = 0x0000_0004;
const NTLM: u32 = 0x0000_0200;
const ALWAYS_SIGN: u32 = 0x0000_8000;
const EXTENDED_SESSION_SECURITY: u32 = 0x0008_0000;
const TARGET_INFO: u32 = 0x0080_0000;
const NEGOTIATE_128: u32 = 0x2000_0000;
const NEGOTIATE_56: u32 = 0x8000_0000;
/// The flags egress asks for and answers with (never LM key, never key exchange).
const FLAGS: u32 = UNICODE
    | REQUEST_TARGET
    | NTLM
    | ALWAYS_SIGN
    | EXTENDED_SESSION_SECURITY
    | NEGOTIATE_128
    | NEGOTIATE_56;
/// `MsvAvTimestamp`: the server's FILETIME in its target information.
const AV_TIMESTAMP: u16 = 7;
/// Seconds between 1601-01-01 (FILETIME's epoch) and 1970-01-01.
const FILETIME_UNIX_OFFSET: u64 = 11_644_473_600;

/// The client side of one NTLM handshake. `Debug` shows nothing secret.
#[derive(Clone, Debug)]
pub struct NtlmClient {
    answered: bool,
}

/// What a CHALLENGE_MESSAGE carries that the answer needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerChallenge {
    /// The server's 8-byte challenge.
    pub challenge: [u8; 8],
    /// The server's flags.
    pub flags: u32,
    /// The target information (AV pairs), copied as sent.
    pub target_info: Vec<u8>,
}

impl NtlmClient {
    /// Starts a handshake: the client state and `NTLM <NEGOTIATE_MESSAGE>`.
    pub fn start(_credentials: &Credentials<'_>) -> (Self, String) {
        let mut message = Vec::with_capacity(32);
        message.extend_from_slice(SIGNATURE);
        message.extend_from_slice(&1u32.to_le_bytes());
        message.extend_from_slice(&FLAGS.to_le_bytes());
        // Domain and workstation fields: empty (the domain goes in the last message).
        message.extend_from_slice(&[0; 16]);
        (Self { answered: false }, token("NTLM ", &message))
    }

    /// Answers the server's `NTLM <CHALLENGE_MESSAGE>` token with `NTLM <AUTHENTICATE_MESSAGE>`.
    pub fn authenticate(
        &mut self,
        server_token: &str,
        credentials: &Credentials<'_>,
        input: &RoundInput<'_>,
    ) -> Result<String, AuthProblem> {
        if self.answered {
            return Err(AuthProblem::Rejected);
        }
        self.answered = true;
        let bytes = decode(server_token).ok_or(AuthProblem::BadChallenge)?;
        let server = parse_challenge(&bytes)?;
        let user = String::from_utf8_lossy(&credentials.decoded_user()).into_owned();
        let password = String::from_utf8_lossy(&credentials.decoded_password()).into_owned();
        let (domain, user) = match user.split_once('\\') {
            Some((domain, user)) => (String::from(domain), String::from(user)),
            None => (String::new(), user),
        };
        let client_challenge: [u8; 8] = input.random[..8].try_into().unwrap_or([0; 8]);
        let filetime = (input.unix_time + FILETIME_UNIX_OFFSET) * 10_000_000;
        let message = authenticate_message(
            &server,
            &Identity {
                user: &user,
                domain: &domain,
                password: &password,
            },
            client_challenge,
            filetime,
        );
        Ok(token("NTLM ", &message))
    }
}

/// Who authenticates.
pub(crate) struct Identity<'a> {
    pub(crate) user: &'a str,
    pub(crate) domain: &'a str,
    pub(crate) password: &'a str,
}

/// The NTLMv2 responses for one challenge (MS-NLMP §3.3.2).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Responses {
    pub(crate) nt: Vec<u8>,
    pub(crate) lm: Vec<u8>,
    pub(crate) session_base_key: [u8; 16],
}

/// Parses a CHALLENGE_MESSAGE (type 2), refusing NTLMv1-only servers.
pub fn parse_challenge(bytes: &[u8]) -> Result<ServerChallenge, AuthProblem> {
    if bytes.len() < 48 || &bytes[..8] != SIGNATURE || u32_at(bytes, 8) != Some(2) {
        return Err(AuthProblem::BadChallenge);
    }
    let flags = u32_at(bytes, 20).ok_or(AuthProblem::BadChallenge)?;
    let challenge: [u8; 8] = bytes[24..32]
        .try_into()
        .map_err(|_| AuthProblem::BadChallenge)?;
    let info_len = usize::from(u16_at(bytes, 40).ok_or(AuthProblem::BadChallenge)?);
    let info_at = u32_at(bytes, 44).ok_or(AuthProblem::BadChallenge)? as usize;
    let target_info = bytes
        .get(info_at..info_at.saturating_add(info_len))
        .ok_or(AuthProblem::BadChallenge)?
        .to_vec();
    if flags & UNICODE == 0 {
        return Err(AuthProblem::BadChallenge);
    }
    if flags & TARGET_INFO == 0 || target_info.is_empty() {
        return Err(AuthProblem::NtlmV1Refused);
    }
    Ok(ServerChallenge {
        challenge,
        flags,
        target_info,
    })
}

/// NTOWFv2 (MS-NLMP §3.3.2): HMAC-MD5(MD4(UTF-16LE(password)), UTF-16LE(UPPER(user) + domain)).
pub(crate) fn ntowf_v2(identity: &Identity<'_>) -> [u8; 16] {
    let nt_hash = Md4::digest(utf16le(identity.password));
    let mut who = String::new();
    who.extend(identity.user.chars().flat_map(char::to_uppercase));
    who.push_str(identity.domain);
    hmac_md5(&nt_hash, &[&utf16le(&who)])
}

/// The NTLMv2 and LMv2 responses for `server`'s challenge.
pub(crate) fn responses(
    server: &ServerChallenge,
    identity: &Identity<'_>,
    client_challenge: [u8; 8],
    filetime: u64,
) -> Responses {
    let key = ntowf_v2(identity);
    let server_time = av_timestamp(&server.target_info);
    let time = server_time.unwrap_or(filetime);
    let mut temp = vec![1u8, 1, 0, 0, 0, 0, 0, 0];
    temp.extend_from_slice(&time.to_le_bytes());
    temp.extend_from_slice(&client_challenge);
    temp.extend_from_slice(&[0; 4]);
    temp.extend_from_slice(&server.target_info);
    temp.extend_from_slice(&[0; 4]);
    let proof = hmac_md5(&key, &[&server.challenge, &temp]);
    let mut nt = proof.to_vec();
    nt.extend_from_slice(&temp);
    // With a server timestamp, MS-NLMP §3.1.5.1.2 sends a zero LM response.
    let lm = if server_time.is_some() {
        vec![0; 24]
    } else {
        let mut lm = hmac_md5(&key, &[&server.challenge, &client_challenge]).to_vec();
        lm.extend_from_slice(&client_challenge);
        lm
    };
    Responses {
        nt,
        lm,
        session_base_key: hmac_md5(&key, &[&proof]),
    }
}

fn authenticate_message(
    server: &ServerChallenge,
    identity: &Identity<'_>,
    client_challenge: [u8; 8],
    filetime: u64,
) -> Vec<u8> {
    let answer = responses(server, identity, client_challenge, filetime);
    let domain = utf16le(identity.domain);
    let user = utf16le(identity.user);
    let payloads: [&[u8]; 6] = [&answer.lm, &answer.nt, &domain, &user, &[], &[]];
    let mut message = Vec::new();
    message.extend_from_slice(SIGNATURE);
    message.extend_from_slice(&3u32.to_le_bytes());
    let mut offset = 64u32;
    for payload in payloads {
        let len = u16::try_from(payload.len()).unwrap_or(u16::MAX);
        message.extend_from_slice(&len.to_le_bytes());
        message.extend_from_slice(&len.to_le_bytes());
        message.extend_from_slice(&offset.to_le_bytes());
        offset += u32::from(len);
    }
    let flags = (FLAGS & server.flags) | UNICODE | NTLM;
    message.extend_from_slice(&flags.to_le_bytes());
    for payload in payloads {
        message.extend_from_slice(payload);
    }
    message
}

fn av_timestamp(info: &[u8]) -> Option<u64> {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(info, at), u16_at(info, at + 2)) {
        let value = info.get(at + 4..at + 4 + usize::from(len))?;
        match id {
            0 => return None,
            AV_TIMESTAMP => return Some(u64::from_le_bytes(value.try_into().ok()?)),
            _ => at += 4 + usize::from(len),
        }
    }
    None
}

fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC takes keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Md5> as KeyInit>::new_from_slice(key) else {
        return [0; 16];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// `prefix` + base64(`bytes`).
fn token(prefix: &str, bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len().div_ceil(3) * 4];
    let written = STANDARD.encode_slice(bytes, &mut out).unwrap_or(0);
    out.truncate(written);
    let mut value = String::from(prefix);
    value.push_str(core::str::from_utf8(&out).unwrap_or(""));
    value
}

/// The bytes of a base64 token (at most 8 KiB of them).
fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() > 8 * 1024 {
        return None;
    }
    let mut out = vec![0u8; text.len() / 4 * 3 + 3];
    let written = STANDARD.decode_slice(text, &mut out).ok()?;
    out.truncate(written);
    Some(out)
}

#[cfg(test)]
#[path = "ntlm_vectors.rs"]
mod vectors;
