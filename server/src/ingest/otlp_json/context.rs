//! The decoding context: where in the request a decoder is, so that an error can name the
//! place, and how deeply attribute values nest around it.

use std::cell::OnceCell;
use std::fmt;

/// A JSON path as a linked list through the decoders' stack frames: free to build, and only
/// turned into text when an error needs it.
pub(super) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// What every decoder carries along.
#[derive(Clone, Copy)]
pub(super) struct Cx<'a> {
    pub(super) path: &'a Path<'a>,
    /// Path of the innermost decoder that failed. Errors travel outwards through every
    /// enclosing decoder, so the first one to record its path is the most precise.
    failure: &'a OnceCell<String>,
    /// Number of `arrayValue`/`kvlistValue` levels around the current value.
    pub(super) depth: usize,
}

impl<'a> Cx<'a> {
    /// The context of the whole request body; `failure` receives the path of the first error.
    pub(super) fn root(failure: &'a OnceCell<String>) -> Self {
        Cx {
            path: &Path::Root,
            failure,
            depth: 0,
        }
    }

    pub(super) fn at<'b>(self, path: &'b Path<'b>) -> Cx<'b>
    where
        Self: 'b,
    {
        Cx { path, ..self }
    }

    /// The same place, one `arrayValue`/`kvlistValue` level deeper.
    pub(super) fn nested(self) -> Self {
        Cx {
            depth: self.depth + 1,
            ..self
        }
    }

    pub(super) fn record<E>(self, error: E) -> E {
        self.failure.get_or_init(|| self.path.to_string());
        error
    }
}
