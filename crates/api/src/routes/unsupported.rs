//! Endpoints of the spec that come with later issues (SQL import). They answer 501 with a message saying so, rather than a 404 that would read as
//! "wrong URL".

use crate::error::{ErrorEnvelope, HttpError};

#[utoipa::path(post, path = "/v1/matching/reference-data/from-sql", tag = "reference data",
    responses((status = 501, description = "SQL import is not available", body = ErrorEnvelope)),
    security(("bearer" = [])))]
pub async fn from_sql() -> HttpError {
    HttpError::not_implemented(
        "Importing reference data from a SQL database (POST /v1/matching/reference-data/from-sql)",
    )
}
