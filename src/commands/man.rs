//! `cds-wizard man`: the manual page, generated from the clap definition (clap_mangen), to stdout
//! or as one page per command into a folder.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};

pub fn run(args: &ManArgs) -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    match &args.dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(command).render(&mut out)?;
            std::io::stdout().write_all(&out)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let written = write_pages(command, dir)?;
            for path in written {
                println!("{}", crate::text::sanitize(&path));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cds-wizard.1` and `cds-wizard-<sub>.1` for every subcommand (with its full name in the page,
/// as `man cds-wizard-register` expects). Pages are created new: an existing file is an error.
fn write_pages(command: clap::Command, dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut command = command;
    command.build();
    let mut pages = vec![(command.get_name().to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        // After `build`, a subcommand's display name is `cds-wizard-<sub>`, which the page uses.
        let name = sub
            .get_display_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}-{}", command.get_name(), sub.get_name()));
        pages.push((name, sub.clone()));
    }
    let mut written = Vec::new();
    for (name, page) in pages {
        let path = dir.join(format!("{name}.1"));
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| {
                format!(
                    "cannot create {} (an existing page is never overwritten)",
                    path.display()
                )
            })?;
        file.write_all(&out)?;
        written.push(path.display().to_string());
    }
    Ok(written)
}
