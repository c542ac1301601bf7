//! Writing audit records from HTTP handlers and gates. Server functions use
//! `app::auth::audit`, which reads the same request data from the Leptos
//! context.

use app::auth::ClientAddress;
use app::model::account::CurrentUser;
use app::model::audit::{Actor, AuditAction};
use axum::http::Extensions;

use crate::startup::ServerState;

/// `user`, at the address the request came from.
pub fn actor(user: &CurrentUser, extensions: &Extensions) -> Actor {
    let client = extensions.get::<ClientAddress>();
    Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: client.and_then(known),
    }
}

/// Somebody (`None`: not signed in) at the client's address.
pub fn at(user_id: Option<i64>, name: &str, client: &ClientAddress) -> Actor {
    Actor {
        user_id,
        name: name.to_owned(),
        address: known(client),
    }
}

fn known(client: &ClientAddress) -> Option<String> {
    Some(client.0.clone()).filter(|address| !address.is_empty())
}

/// Appends a record. A failed write is logged and does not undo what was
/// done: by then it is committed.
pub async fn record(
    state: &ServerState,
    actor: &Actor,
    action: AuditAction,
    target: &str,
    detail: &str,
) {
    if let Err(error) = state.app.db.audit(actor, action, target, detail).await {
        tracing::error!(error = %error, action = action.as_str(), "audit record not written");
    }
}

/// The signed-in user of a JSON API request, for handlers that change
/// something and record who did. The gate has let only users through, so a
/// missing user is a wiring bug; it is refused all the same.
pub struct Caller {
    pub user: CurrentUser,
    pub actor: Actor,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = crate::http::ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Caller, Self::Rejection> {
        let user = parts.extensions.get::<CurrentUser>().cloned().ok_or(
            crate::http::ApiError::Unauthenticated("sign in, or send an API token"),
        )?;
        let actor = actor(&user, &parts.extensions);
        Ok(Caller { user, actor })
    }
}
