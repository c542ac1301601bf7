//! Reading a response body without trusting its size: chunks are taken as
//! they come and reading stops at a cap, so a target that streams forever
//! costs at most the cap in memory (and the check's timeout in time).

/// Bodies are read up to this many bytes; health endpoints are far smaller.
pub const BODY_CAP_BYTES: usize = 1024 * 1024;

/// A body, or its first [`BODY_CAP_BYTES`] bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CappedBody {
    pub bytes: Vec<u8>,
    /// More followed the cap and was not read.
    pub cut: bool,
}

impl CappedBody {
    /// Said after a failed condition that may have needed the unread rest.
    pub fn cut_note(&self) -> &'static str {
        if self.cut { " (body cut at 1 MiB)" } else { "" }
    }
}

/// Reads `response` chunk by chunk up to `cap` bytes. Dropping the response
/// afterwards closes the connection on whatever was not read.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<CappedBody, reqwest::Error> {
    let mut body = CappedBody::default();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.bytes.len();
        if chunk.len() > room {
            body.bytes.extend_from_slice(&chunk[..room]);
            body.cut = true;
            break;
        }
        body.bytes.extend_from_slice(&chunk);
    }
    Ok(body)
}
