//! Reading the error chains that reqwest, hyper and tonic hand back: finding
//! the typed cause that decides the verdict, and putting the rest in words.

use std::error::Error;
use std::io;

/// Finds the first error of type `T` among `err` and its sources. Looks inside
/// `io::Error`s too: their `source()` skips the error they wrap, which is where
/// TLS and resolver errors travel.
pub fn find_cause<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<T>() {
            return Some(found);
        }
        let wrapped = error
            .downcast_ref::<io::Error>()
            .and_then(|io_error| io_error.get_ref());
        if let Some(found) = wrapped.and_then(|inner| find_cause::<T>(inner)) {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// `err` and its sources as one line, `outer: inner: innermost`. Client
/// wrappers that only name a category ("error sending request for url
/// (...)", "client error (Connect)") are left out when they have a cause,
/// and so is a message already contained in the one before.
pub fn describe_chain(err: &(dyn Error + 'static)) -> String {
    let mut messages: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(error) = current {
        current = error.source();
        if current.is_some() && is_category_wrapper(error) {
            continue;
        }
        let message = error.to_string();
        if !messages.last().is_some_and(|last| last.contains(&message)) {
            messages.push(message);
        }
    }
    messages.join(": ")
}

fn is_category_wrapper(error: &(dyn Error + 'static)) -> bool {
    error.is::<reqwest::Error>() || error.is::<hyper_util::client::legacy::Error>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("inner detail")]
    struct Inner;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] io::Error);

    #[test]
    fn finds_an_error_wrapped_in_an_io_error() {
        let outer = Outer(io::Error::other(Inner));
        assert!(find_cause::<Inner>(&outer).is_some());
        assert!(find_cause::<io::Error>(&outer).is_some());
    }

    #[test]
    fn describes_each_message_once() {
        let outer = Outer(io::Error::other(Inner));
        // The io::Error shows its payload's message and hides it as a source.
        assert_eq!(describe_chain(&outer), "outer: inner detail");
    }
}
