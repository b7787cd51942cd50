//! Request bodies: nothing, bytes in memory, or an `AsyncRead` streamed with a known length
//! (`Content-Length`) or chunked.

use std::fmt;

use futures_io::AsyncRead;

/// The body of a request.
pub enum Body {
    /// No body (`Content-Length: 0` for methods that need one, such as POST).
    Empty,
    /// Bytes in memory, sent with `Content-Length`.
    Bytes(Vec<u8>),
    /// A stream, sent with `Content-Length` when `len` is known, chunked otherwise.
    Reader {
        /// Where the bytes come from.
        reader: Box<dyn AsyncRead + Send + Unpin>,
        /// The exact length, if known; a reader that ends early fails the request.
        len: Option<u64>,
    },
}

impl Body {
    /// A body streamed from `reader`; `len` is its exact length if known.
    pub fn from_reader(reader: impl AsyncRead + Send + Unpin + 'static, len: Option<u64>) -> Self {
        Body::Reader {
            reader: Box::new(reader),
            len,
        }
    }

    /// The `Content-Length` to declare, if the length is known.
    pub(crate) fn len(&self) -> Option<u64> {
        match self {
            Body::Empty => Some(0),
            Body::Bytes(bytes) => Some(bytes.len() as u64),
            Body::Reader { len, .. } => *len,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Bytes(bytes)
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Body::Bytes(bytes.to_vec())
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::Bytes(text.into_bytes())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Body::Bytes(text.as_bytes().to_vec())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Body::Empty"),
            Body::Bytes(bytes) => write!(f, "Body::Bytes({} bytes)", bytes.len()),
            Body::Reader { len, .. } => write!(f, "Body::Reader(len: {len:?})"),
        }
    }
}
