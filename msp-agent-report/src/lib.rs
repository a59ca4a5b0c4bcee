//! Shadow-mode replay reports for msp-agent: self-contained HTML with server-side SVG charts, and JSON.
#![forbid(unsafe_code)]
