//! Newtype identifiers. Each wraps the id string of the system it comes from.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wrap an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

id_type!(
    /// One MSP client (tenant). Every capability call is scoped by it.
    TenantId
);
id_type!(
    /// A ticket in the PSA.
    TicketId
);
id_type!(
    /// A contact in the PSA.
    ContactId
);
id_type!(
    /// A user in the directory (object id or UPN, as the provider uses).
    UserId
);
id_type!(
    /// A managed device in the RMM.
    DeviceId
);
id_type!(
    /// A directory group or distribution list.
    GroupId
);
id_type!(
    /// A document or SOP.
    DocumentId
);
