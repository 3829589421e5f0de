//! Request extractors whose every rejection is a spec error: JSON bodies and query strings are
//! read with the path of the offending value (`field_mappings[1].weight`), unknown fields are
//! refused by the types themselves, and an oversized body is a 413.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{Code, HttpError};

/// A JSON body of type `T`.
pub struct Json<T>(pub T);

/// A JSON body that may be left out entirely (an empty body is `None`).
pub struct OptionalJson<T>(pub Option<T>);

/// The query string as `T`.
pub struct Query<T>(pub T);

/// The name between the first pair of backticks of a serde message (`missing field `name``).
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(&message[start..start + len])
}

/// The full path of the value a serde error is about: for a missing or unknown field the path
/// points at its parent object, so the field's own name is added.
fn field_path(path: &str, message: &str) -> String {
    let parent = if path == "." { "" } else { path };
    // serde_path_to_error already ends the path of an unknown field with its name.
    let named = message.starts_with("missing field") || message.starts_with("unknown field");
    match (named, quoted_name(message)) {
        (true, Some(name)) if parent.is_empty() => name.to_string(),
        (true, Some(name)) if parent == name || parent.ends_with(&format!(".{name}")) => {
            parent.to_string()
        }
        (true, Some(name)) => format!("{parent}.{name}"),
        _ => parent.to_string(),
    }
}

/// Drops serde_json's " at line 1 column 17" from a message that already names its field.
fn without_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return HttpError::validation("", format!("the body is not valid JSON: {inner}"));
        }
        let message = inner.to_string();
        HttpError::validation(
            field_path(&path, &message),
            without_position(&message).to_string(),
        )
    })?;
    de.end()
        .map_err(|e| HttpError::validation("", format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || m.ends_with("+json")
        })
        .unwrap_or(false)
}

async fn body_bytes(req: Request) -> Result<Bytes, HttpError> {
    Bytes::from_request(req, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Code::PayloadTooLarge,
                format!(
                    "the body is larger than this server accepts ({} bytes); send less at once",
                    crate::current_body_limit()
                ),
            )
        } else {
            HttpError::validation("", format!("the body could not be read: {rejection}"))
        }
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, _: &S) -> Result<Self, HttpError> {
        if !is_json(&req) {
            return Err(HttpError::validation(
                "",
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        let bytes = body_bytes(req).await?;
        parse_json(&bytes).map(Json)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, _: &S) -> Result<Self, HttpError> {
        let json = is_json(&req);
        let bytes = body_bytes(req).await?;
        // No body, or JSON null, both mean "nothing to say".
        if bytes.iter().all(u8::is_ascii_whitespace) || bytes.trim_ascii() == b"null" {
            return Ok(OptionalJson(None));
        }
        if !json {
            return Err(HttpError::validation(
                "",
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, HttpError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                HttpError::validation(field_path(&path, &message), message)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_field_at_fault() {
        assert_eq!(field_path(".", "missing field `name`"), "name");
        assert_eq!(
            field_path("field_mappings[1]", "missing field `weight`"),
            "field_mappings[1].weight"
        );
        assert_eq!(
            field_path(".", "unknown field `nmae`, expected one of `name`"),
            "nmae"
        );
        assert_eq!(
            field_path(
                "field_mappings[0].wieght",
                "unknown field `wieght`, expected `weight`"
            ),
            "field_mappings[0].wieght"
        );
        assert_eq!(
            field_path(
                "field_mappings[1].weight",
                "invalid type: string \"x\", expected f64"
            ),
            "field_mappings[1].weight"
        );
    }
}
