//! MS-NLMP §4.2.4 (NTLMv2 authentication) test vectors: User / Domain / Password, server
//! challenge 0123456789abcdef, client challenge aa×8, time 0, the §4.2.4.3 CHALLENGE_MESSAGE.

use super::*;

const CHALLENGE_MESSAGE: &str = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef\
    00000000000000002400240044000000060070170000000f530065007200760065007200\
    02000c0044006f006d00610069006e0001000c005300650072007600650072000000000000000000";

fn unhex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or(0))
        .collect()
}

const IDENTITY: Identity<'static> = Identity {
    user: "User",
    domain: "Domain",
    password: "Password",
};

#[test]
fn ntowf_v2_vector() {
    assert_eq!(
        ntowf_v2(&IDENTITY).to_vec(),
        unhex("0c868a403bfd7a93a3001ef22ef02e3f")
    );
}

#[test]
fn challenge_message_vector_parses() {
    let server = parse_challenge(&unhex(CHALLENGE_MESSAGE)).expect("valid challenge");
    assert_eq!(server.challenge.to_vec(), unhex("0123456789abcdef"));
    assert_eq!(server.flags, 0xe28a_8233);
    assert_eq!(
        server.target_info,
        unhex("02000c0044006f006d00610069006e0001000c0053006500720076006500720000000000")
    );
}

#[test]
fn ntlmv2_responses_vector() {
    let server = parse_challenge(&unhex(CHALLENGE_MESSAGE)).expect("valid challenge");
    let answer = responses(&server, &IDENTITY, [0xaa; 8], 0);
    assert_eq!(
        answer.nt[..16].to_vec(),
        unhex("68cd0ab851e51c96aabc927bebef6a1c")
    );
    assert_eq!(
        answer.lm,
        unhex("86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa")
    );
    assert_eq!(
        answer.session_base_key.to_vec(),
        unhex("8de40ccadbc14a82f15cb0ad0de95ca3")
    );
    // The temp blob: version 1.1, six zero bytes, time 0, client challenge, 4 zero bytes, the
    // server's AV pairs, 4 zero bytes.
    let mut temp = unhex("0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000");
    temp.extend_from_slice(&server.target_info);
    temp.extend_from_slice(&[0; 4]);
    assert_eq!(answer.nt[16..].to_vec(), temp);
}

#[test]
fn refuses_v1_only_and_garbage() {
    let mut v1 = unhex(CHALLENGE_MESSAGE);
    // Clear NTLMSSP_NEGOTIATE_TARGET_INFO and drop the target info.
    v1[22] &= !0x80;
    v1[40] = 0;
    assert_eq!(parse_challenge(&v1), Err(AuthProblem::NtlmV1Refused));
    assert_eq!(
        parse_challenge(b"NTLMSSP\0"),
        Err(AuthProblem::BadChallenge)
    );
    let mut wrong_type = unhex(CHALLENGE_MESSAGE);
    wrong_type[8] = 3;
    assert_eq!(parse_challenge(&wrong_type), Err(AuthProblem::BadChallenge));
}

#[test]
fn server_timestamp_is_used_and_zeroes_lm() {
    let mut server = parse_challenge(&unhex(CHALLENGE_MESSAGE)).expect("valid challenge");
    let eol = server.target_info.split_off(server.target_info.len() - 4);
    server.target_info.extend_from_slice(&[7, 0, 8, 0]);
    server.target_info.extend_from_slice(&42u64.to_le_bytes());
    server.target_info.extend_from_slice(&eol);
    let answer = responses(&server, &IDENTITY, [0xaa; 8], 999);
    assert_eq!(answer.lm, vec![0; 24]);
    assert_eq!(answer.nt[24..32].to_vec(), 42u64.to_le_bytes().to_vec());
}

#[test]
fn full_handshake_messages() {
    let creds = Credentials::from_encoded("Domain%5CUser", "Password");
    let (mut client, negotiate) = NtlmClient::start(&creds);
    let bytes = decode(negotiate.trim_start_matches("NTLM ")).expect("base64");
    assert_eq!(&bytes[..12], b"NTLMSSP\0\x01\0\0\0");
    let input = RoundInput {
        method: "CONNECT",
        uri: "h:443",
        random: [0xaa; 16],
        unix_time: 0,
    };
    let server_token = token("", &unhex(CHALLENGE_MESSAGE));
    let answer = client
        .authenticate(&server_token, &creds, &input)
        .expect("answer");
    let bytes = decode(answer.trim_start_matches("NTLM ")).expect("base64");
    assert_eq!(&bytes[..12], b"NTLMSSP\0\x03\0\0\0");
    // Domain and user fields point at UTF-16LE "Domain" and "User".
    let field = |at: usize| {
        let len = usize::from(u16_at(&bytes, at).unwrap_or(0));
        let off = u32_at(&bytes, at + 4).unwrap_or(0) as usize;
        bytes[off..off + len].to_vec()
    };
    assert_eq!(field(28), utf16le("Domain"));
    assert_eq!(field(36), utf16le("User"));
    // The time is 1601-based: 0 Unix seconds is FILETIME_UNIX_OFFSET seconds in.
    let nt = field(20);
    let time = u64::from_le_bytes(nt[24..32].try_into().unwrap_or([0; 8]));
    assert_eq!(time, FILETIME_UNIX_OFFSET * 10_000_000);
    assert_eq!(
        client.authenticate(&server_token, &creds, &input),
        Err(AuthProblem::Rejected)
    );
}
