//! Account rules shared by the server and the browser: who is signed in,
//! what a password and a username must be, where a login may send you next.

use serde::{Deserialize, Serialize};

use super::role::Role;

/// The signed-in user, as request handlers, server functions and the header
/// see them. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A user as the admin's list shows it: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When they last logged in (started a session), if ever.
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A personal API token as its owner's list shows it: never the hash,
/// never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApiTokenRecord {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A token's name says what it is for: 1 to 64 characters.
pub fn check_token_name(name: &str) -> Result<(), &'static str> {
    match name.trim().chars().count() {
        1..=64 => Ok(()),
        _ => Err("a token name is 1 to 64 characters"),
    }
}

/// Shortest password accepted. Length beats composition rules (NIST SP
/// 800-63B): no "one digit, one symbol" requirements.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, so hashing cost stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a password or username was refused; the messages are shown as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountRuleError {
    #[error("the password needs at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password may have at most {MAX_PASSWORD_CHARS} characters")]
    PasswordTooLong,
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("a username is 1 to 64 letters, digits, '.', '-', '_' or '@'")]
    BadUsername,
    #[error("a display name is 1 to 100 characters")]
    BadDisplayName,
}

/// The password policy: a length check, counted in characters (not bytes).
pub fn check_password(password: &str) -> Result<(), AccountRuleError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AccountRuleError::PasswordTooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AccountRuleError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// The policy plus the "type it twice" check of the setup form.
pub fn check_new_password(password: &str, repeated: &str) -> Result<(), AccountRuleError> {
    check_password(password)?;
    if password != repeated {
        return Err(AccountRuleError::PasswordsDiffer);
    }
    Ok(())
}

/// Usernames appear in logs and URLs: a conservative character set.
pub fn check_username(username: &str) -> Result<(), AccountRuleError> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@');
    if (1..=64).contains(&username.len()) && username.chars().all(valid_char) {
        Ok(())
    } else {
        Err(AccountRuleError::BadUsername)
    }
}

/// Display names are free text, shown escaped; only the length is bounded.
pub fn check_display_name(name: &str) -> Result<(), AccountRuleError> {
    let chars = name.trim().chars().count();
    if (1..=100).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(AccountRuleError::BadDisplayName)
    }
}

/// The admin's "add a user" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
}

impl NewUserForm {
    /// The role, when every field follows the rules; otherwise a message
    /// per field. The browser runs this before sending, the server again.
    pub fn validate(&self) -> Result<Role, Vec<crate::search_form::FieldError>> {
        let mut errors = Vec::new();
        let mut refuse = |field: &str, message: String| {
            errors.push(crate::search_form::FieldError {
                field: field.to_owned(),
                message,
            })
        };
        if let Err(e) = check_username(self.username.trim()) {
            refuse("username", e.to_string());
        }
        if let Err(e) = check_display_name(&self.display_name) {
            refuse("display_name", e.to_string());
        }
        if let Err(e) = check_password(&self.password) {
            refuse("password", e.to_string());
        }
        let role = Role::parse(&self.role);
        if role.is_none() {
            refuse("role", "choose viewer, responder or admin".to_owned());
        }
        match role {
            Some(role) if errors.is_empty() => Ok(role),
            _ => Err(errors),
        }
    }
}

/// Where a login may send the browser: the page it came from, but only a
/// local path. `//evil.example` and `/\evil.example` are protocol-relative
/// to browsers and would make the login page an open redirect.
pub const DEFAULT_NEXT: &str = "/services";

pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control() || c == '\\') =>
        {
            path
        }
        _ => DEFAULT_NEXT,
    }
}

/// Percent-encodes a query value (for `?next=`): everything but unreserved
/// characters and `/`.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_keeps_local_paths_only() {
        assert_eq!(safe_next(Some("/traces?range=1h")), "/traces?range=1h");
        assert_eq!(safe_next(Some("/")), "/");
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "https://evil.example/",
            "evil.example",
            "javascript:alert(1)",
            "",
            "/ok\r\nSet-Cookie: x=1",
            "/\tx",
        ] {
            assert_eq!(safe_next(Some(bad)), DEFAULT_NEXT, "{bad:?}");
        }
        assert_eq!(safe_next(None), DEFAULT_NEXT);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/traces?range=1h&x=a b"),
            "/traces%3Frange%3D1h%26x%3Da%20b"
        );
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }

    #[test]
    fn passwords_need_twelve_characters_counted_as_characters() {
        assert_eq!(
            check_password("elevenchars"),
            Err(AccountRuleError::PasswordTooShort)
        );
        assert_eq!(check_password("twelve chars"), Ok(()));
        // Twelve characters, more bytes: accepted.
        assert_eq!(
            check_password("ééééééééééé"),
            Err(AccountRuleError::PasswordTooShort)
        );
        assert_eq!(check_password("éééééééééééé"), Ok(()));
        assert_eq!(
            check_password(&"x".repeat(MAX_PASSWORD_CHARS + 1)),
            Err(AccountRuleError::PasswordTooLong)
        );
        assert_eq!(
            check_new_password("correct horse battery", "correct horse batterY"),
            Err(AccountRuleError::PasswordsDiffer)
        );
        assert_eq!(
            check_new_password("correct horse battery", "correct horse battery"),
            Ok(())
        );
    }

    #[test]
    fn usernames_and_display_names() {
        assert!(check_username("alice.o-b_1@corp").is_ok());
        for bad in ["", "a b", "al/ice", "<script>", &"a".repeat(65)] {
            assert!(check_username(bad).is_err(), "{bad:?}");
        }
        assert!(check_display_name("Alice O'Brien").is_ok());
        assert!(check_display_name("   ").is_err());
        assert!(check_display_name("a\nb").is_err());
    }
}
