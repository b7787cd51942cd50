//! [`Gssapi`] (feature `gssapi`): a [`NegotiateProvider`] over the system's GSSAPI library
//! (MIT Kerberos' `libgssapi_krb5`, through the `libgssapi` binding), with the SPNEGO
//! mechanism and mutual authentication requested.
//!
//! This is the one module of egress-core that calls out to a system library, and so the one
//! place where something happens that is not pure computation: GSSAPI reads the caller's
//! Kerberos ticket cache (`KRB5CCNAME`, else the system default) and configuration
//! (`KRB5_CONFIG`), and asks the KDC for a service ticket for `HTTP/<proxy host>` inside
//! `gss_init_sec_context`, with its own timeouts. No password is ever used: without a ticket
//! (`kinit`), starting fails with [`AuthProblem::NoKerberosTicket`].
//!
//! GSSAPI's failures become typed [`AuthProblem`]s: no ticket, a service principal the KDC
//! does not know, or [`AuthProblem::Gssapi`] with the status codes, whose `Display` adds the
//! library's own text (`gss_display_status`). Tokens are never shown.

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use libgssapi::context::{ClientCtx, CtxFlags, SecurityContext as _};
use libgssapi::credential::{Cred, CredUsage};
use libgssapi::error::{Error, MajorFlags};
use libgssapi::name::Name;
use libgssapi::oid::{GSS_MECH_KRB5, GSS_MECH_SPNEGO, GSS_NT_HOSTBASED_SERVICE, OidSet};

use super::error::AuthProblem;
use super::negotiate::{NegotiateProvider, SecurityContext, Step};

/// MIT Kerberos error codes (`krb5.h`, com_err table `krb5`) that GSSAPI passes on as its
/// minor status, as the `u32` GSSAPI carries them in.
mod krb5 {
    /// `KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN`: "Server not found in Kerberos database".
    pub(super) const S_PRINCIPAL_UNKNOWN: u32 = (-1_765_328_377_i32) as u32;
    /// `KRB5KRB_AP_ERR_TKT_EXPIRED`: "Ticket expired".
    pub(super) const TKT_EXPIRED: u32 = (-1_765_328_352_i32) as u32;
    /// `KRB5_CC_NOTFOUND`: "Matching credential not found".
    pub(super) const CC_NOTFOUND: u32 = (-1_765_328_243_i32) as u32;
    /// `KRB5_CC_END`: "End of credential cache reached".
    pub(super) const CC_END: u32 = (-1_765_328_242_i32) as u32;
    /// `KRB5_FCC_NOFILE`: "No credentials cache found".
    pub(super) const FCC_NOFILE: u32 = (-1_765_328_189_i32) as u32;
}

/// Negotiate through the system's GSSAPI with the caller's default Kerberos credentials.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gssapi;

impl NegotiateProvider for Gssapi {
    fn start(&self, host: &str) -> Result<Box<dyn SecurityContext>, AuthProblem> {
        let service = format!("HTTP@{host}");
        let name = Name::new(service.as_bytes(), Some(GSS_NT_HOSTBASED_SERVICE))
            .map_err(|e| classify(&e))?;
        if empty_file_cache() {
            return Err(AuthProblem::NoKerberosTicket);
        }
        let mut mechs = OidSet::new();
        mechs.add(GSS_MECH_SPNEGO).map_err(|e| classify(&e))?;
        // Acquired first so that a missing or expired ticket is told apart from every later
        // failure: without an initiator credential nothing else can work.
        let credential = Cred::acquire(None, None, CredUsage::Initiate, Some(&mechs)).map_err(
            |e| match classify(&e) {
                AuthProblem::Gssapi { .. }
                    if routine(&e) == routine_of(MajorFlags::GSS_S_FAILURE) =>
                {
                    AuthProblem::NoKerberosTicket
                }
                other => other,
            },
        )?;
        let target = name.duplicate().map_err(|e| classify(&e))?;
        let context = ClientCtx::new(Some(credential), target, FLAGS, Some(GSS_MECH_SPNEGO));
        Ok(Box::new(GssapiContext {
            context,
            name,
            started: false,
        }))
    }
}

const FLAGS: CtxFlags = CtxFlags::GSS_C_MUTUAL_FLAG.union(CtxFlags::GSS_C_SEQUENCE_FLAG);

/// Whether the default ticket cache is a file that exists and is empty. MIT krb5 1.20
/// crashes (in `krb5_cccol_have_content`) when asked for credentials from such a file, and
/// it holds no ticket anyway. Other cache types are left to GSSAPI.
fn empty_file_cache() -> bool {
    let Some(name) = std::env::var_os("KRB5CCNAME") else {
        return false;
    };
    let name = name.to_string_lossy();
    let path = match name.split_once(':') {
        Some(("FILE", path)) => path,
        Some(_) => return false,
        None => &name,
    };
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// One initiator context (SPNEGO); `Debug` shows nothing of it.
struct GssapiContext {
    context: ClientCtx,
    /// The service, for telling the first step's failures apart.
    name: Name,
    started: bool,
}

impl GssapiContext {
    /// SPNEGO reports a failed first step with a minor status of its own; the Kerberos
    /// mechanism alone, asked the same, tells why (no ticket, unknown principal). Only
    /// done when the first step failed: it asks the KDC once more.
    fn diagnose(&self, spnego: AuthProblem) -> AuthProblem {
        let Ok(name) = self.name.duplicate() else {
            return spnego;
        };
        let mut krb5 = ClientCtx::new(None, name, FLAGS, Some(GSS_MECH_KRB5));
        match krb5.step(None, None).map_err(|e| classify(&e)) {
            Err(typed @ (AuthProblem::UnknownServicePrincipal | AuthProblem::NoKerberosTicket)) => {
                typed
            }
            _ => spnego,
        }
    }
}

impl SecurityContext for GssapiContext {
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, AuthProblem> {
        let first = !self.started;
        self.started = true;
        let out = match self.context.step(server_token, None) {
            Ok(out) => out,
            Err(e) => {
                let problem = classify(&e);
                return Err(match problem {
                    AuthProblem::Gssapi { .. } if first => self.diagnose(problem),
                    _ => problem,
                });
            }
        };
        let token = out.map(|buf| Vec::from(&*buf)).filter(|t| !t.is_empty());
        Ok(Step {
            token,
            complete: self.context.is_complete(),
        })
    }
}

impl fmt::Debug for GssapiContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GssapiContext")
    }
}

/// The typed problem for a GSSAPI status.
fn classify(error: &Error) -> AuthProblem {
    let major = error.major;
    match error.minor {
        krb5::S_PRINCIPAL_UNKNOWN => return AuthProblem::UnknownServicePrincipal,
        krb5::TKT_EXPIRED | krb5::CC_NOTFOUND | krb5::CC_END | krb5::FCC_NOFILE => {
            return AuthProblem::NoKerberosTicket;
        }
        _ => {}
    }
    let no_ticket = [
        MajorFlags::GSS_S_NO_CRED,
        MajorFlags::GSS_S_CREDENTIALS_EXPIRED,
    ];
    if no_ticket
        .into_iter()
        .any(|m| routine(error) == routine_of(m))
    {
        return AuthProblem::NoKerberosTicket;
    }
    AuthProblem::Gssapi {
        major: major.bits(),
        minor: error.minor,
    }
}

/// The routine error of a major status: a number in bits 16-23 (RFC 2744 §3.9.1), not a
/// set of flags, so it is compared whole.
fn routine_of(major: MajorFlags) -> u32 {
    (major.bits() >> 16) & 0xff
}

fn routine(error: &Error) -> u32 {
    routine_of(error.major)
}

/// Writes GSSAPI's own text for a status (`: <major text> (<minor text>)`), as the library
/// describes it (`gss_display_status`). Used by [`AuthProblem`]'s `Display`.
pub(super) fn write_status_text(f: &mut fmt::Formatter<'_>, major: u32, minor: u32) -> fmt::Result {
    let error = Error {
        major: MajorFlags::from_bits_retain(major),
        minor,
    };
    // GSSAPI's text ends some messages with a line break; one line is kept per message.
    let text = format!("{error}");
    let text: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if text.is_empty() {
        return Ok(());
    }
    write!(f, ": {}", text.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn statuses_become_typed_problems() {
        let status = |major: MajorFlags, minor: u32| Error { major, minor };
        let failure = MajorFlags::GSS_S_FAILURE;
        assert_eq!(
            classify(&status(failure, krb5::S_PRINCIPAL_UNKNOWN)),
            AuthProblem::UnknownServicePrincipal
        );
        for minor in [krb5::FCC_NOFILE, krb5::CC_NOTFOUND, krb5::TKT_EXPIRED] {
            assert_eq!(
                classify(&status(failure, minor)),
                AuthProblem::NoKerberosTicket
            );
        }
        assert_eq!(
            classify(&status(MajorFlags::GSS_S_NO_CRED, 0)),
            AuthProblem::NoKerberosTicket
        );
        let other = classify(&status(MajorFlags::GSS_S_DEFECTIVE_TOKEN, 0));
        assert_eq!(
            other,
            AuthProblem::Gssapi {
                major: MajorFlags::GSS_S_DEFECTIVE_TOKEN.bits(),
                minor: 0
            }
        );
        let shown = other.to_string();
        assert!(
            shown.starts_with("GSSAPI failed (major 0x00090000"),
            "{shown}"
        );
        assert!(
            shown.contains("token"),
            "GSSAPI's own text is added: {shown}"
        );
    }
}
