//! `msp-agent audit verify`.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use clap::Subcommand;
use msp_agent_core::audit::verify_chain;

use crate::Failure;

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Verify the hash chain of a JSON Lines audit log: exit 0 if intact, 1 with the first
    /// bad line otherwise.
    Verify {
        /// The audit log.
        file: PathBuf,
    },
}

pub(crate) fn run(cmd: AuditCommand) -> Result<(), Failure> {
    match cmd {
        AuditCommand::Verify { file } => {
            let f = File::open(&file)
                .map_err(|e| Failure::input(format!("{}: {e}", file.display())))?;
            match verify_chain(BufReader::new(f)) {
                Ok(n) => {
                    println!("{}: {n} records, chain intact", file.display());
                    Ok(())
                }
                Err(e) => Err(Failure {
                    code: 1,
                    message: format!("{}: {e}", file.display()),
                }),
            }
        }
    }
}
