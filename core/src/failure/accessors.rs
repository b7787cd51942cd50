//! The accessors both frontends' `Error` types offer over their [`Failure`](super::Failure),
//! written once as a macro so the two error types answer the same questions the same way.

/// Generates `failure`, `kind`, `kind_name` and `is_proxy_failure` for an error enum with
/// a `Failure(egress_core::Failure)` variant (every other variant is its HTTP engine's own
/// error).
#[macro_export]
macro_rules! failure_accessors {
    () => {
        /// The classified failure, unless this is one of the HTTP engine's own errors.
        pub fn failure(&self) -> Option<&$crate::Failure> {
            match self {
                Self::Failure(failure) => Some(failure),
                _ => None,
            }
        }

        /// The failure's kind, unless this is one of the HTTP engine's own errors.
        pub fn kind(&self) -> Option<$crate::FailureKind> {
            self.failure().map($crate::Failure::kind)
        }

        /// A stable short name of the kind, e.g. `proxy-auth-required` (`http` for the HTTP
        /// engine's own errors), for logs and scripts.
        pub fn kind_name(&self) -> &'static str {
            self.kind().map_or("http", $crate::FailureKind::as_str)
        }

        /// Whether the failure is the proxy's side (unreachable, TLS, auth, refusal,
        /// protocol, a close, a timeout in a proxy phase).
        pub fn is_proxy_failure(&self) -> bool {
            self.failure()
                .is_some_and($crate::Failure::is_proxy_failure)
        }
    };
}
