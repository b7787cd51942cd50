//! The stream layers a connection is built from, each a `futures-io` stream generic over the
//! one beneath it:
//!
//! ```text
//!   Connection ─ forward rewriting (write path; forward routes only)
//!     └─ Layer    ─ TLS to an https:// target, or plain
//!         └─ Replay ─ tunnel bytes that came with the CONNECT answer, then the stream below
//!             └─ Layer ─ TLS to an https:// proxy, or plain
//!                 └─ Tcp (async-std or async-net)
//! ```

mod layer;
mod replay;
mod rewrite;

pub(crate) use layer::Layer;
pub(crate) use replay::Replay;
pub(crate) use rewrite::Rewriting;
