//! The operations console's commands (`clients|credentials|messages|grants|files|status`,
//! CDS-WG1-02 §5–§9).

use clap::{Args, Subcommand};

/// Options every console command takes.
#[derive(Debug, Args)]
pub struct ConsoleOptions {
    /// Print JSON instead of the human summary.
    #[arg(long, global = true)]
    pub json: bool,
    /// Seconds to wait for each response.
    #[arg(long, global = true, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ClientsArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(subcommand)]
    pub action: Option<ClientsAction>,
    #[command(flatten)]
    pub options: ConsoleOptions,
}

#[derive(Debug, Subcommand)]
pub enum ClientsAction {
    /// Every Client object (the default).
    List,
    /// One Client object in full.
    Show { client_id: String },
    /// Change fields and PUT the object back (§5.5); a 202 means the utility reviews it.
    Modify {
        client_id: String,
        /// FIELD=VALUE; VALUE is JSON when it parses (["a","b"], null), else text. Repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct CredentialsArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(subcommand)]
    pub action: Option<CredentialsAction>,
    #[command(flatten)]
    pub options: ConsoleOptions,
}

#[derive(Debug, Subcommand)]
pub enum CredentialsAction {
    /// Every Credential, with its expiry and whether the keyring holds it (the default).
    List {
        /// Only this client's.
        #[arg(long)]
        client: Option<String>,
    },
    /// One Credential.
    Show { credential_id: String },
    /// A new secret for a client, proven and kept in the keyring (the old one stays valid).
    Create { client_id: String },
    /// Expire a Credential now (the utility treats it as compromised, §7.6).
    Expire {
        credential_id: String,
        /// Also when it is the secret this profile uses (the profile then needs another).
        #[arg(long)]
        force: bool,
    },
    /// New secret, stored and proven, then the old one expired (one action).
    Rotate { client_id: String },
}

#[derive(Debug, Args)]
pub struct MessagesArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(subcommand)]
    pub action: Option<MessagesAction>,
    #[command(flatten)]
    pub options: ConsoleOptions,
}

#[derive(Debug, Subcommand)]
pub enum MessagesAction {
    /// Messages as threads (a request with its answers, the latest status winning), or one
    /// of the three lists.
    List {
        #[arg(long, conflicts_with_all = ["unread", "read"])]
        outstanding: bool,
        #[arg(long, conflicts_with = "read")]
        unread: bool,
        #[arg(long)]
        read: bool,
    },
    /// One Message in full.
    Show { message_id: String },
    /// Mark a Message read (or unread with --unread).
    Read {
        message_id: String,
        #[arg(long)]
        unread: bool,
    },
    /// Send a Message: support_request, private_message, production_request, grant_request,
    /// or client_submission (answering a server_request).
    Send(SendArgs),
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The Message type.
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,
    /// The subject (support_request, private_message).
    #[arg(long, default_value = "")]
    pub subject: String,
    /// The body (support_request, private_message).
    #[arg(long, default_value = "")]
    pub body: String,
    /// The Message this answers (required for client_submission).
    #[arg(long, value_name = "MESSAGE_ID")]
    pub in_reply_to: Option<String>,
    /// production_request: the sandbox client; grant_request: the client the Grants are for.
    #[arg(long, value_name = "CLIENT_ID")]
    pub client: Option<String>,
    /// support_request: the API URL the question is about.
    #[arg(long, value_name = "URL")]
    pub related_uri: Option<String>,
    /// grant_request: a scope string to ask for (repeatable: one Grant each).
    #[arg(long)]
    pub scope: Vec<String>,
    /// client_submission: FIELD=TEXT (or an https URL) per requested field (repeatable).
    #[arg(long, value_name = "FIELD=TEXT")]
    pub answer: Vec<String>,
    /// Attach a file (repeatable; 10 MB in all).
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct GrantsArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(subcommand)]
    pub action: Option<GrantsAction>,
    #[command(flatten)]
    pub options: ConsoleOptions,
}

#[derive(Debug, Subcommand)]
pub enum GrantsAction {
    /// Grants, newest first (the default), filtered by status, scope or client.
    List {
        #[arg(long)]
        status: Vec<String>,
        #[arg(long)]
        scope: Vec<String>,
        #[arg(long)]
        client: Vec<String>,
    },
    /// One Grant in full.
    Show { grant_id: String },
    /// Close a Grant: the customer's access for this app ends (§8.6).
    Close { grant_id: String },
    /// Keep only part of a Grant: a smaller scope and/or fewer authorization details.
    Reduce {
        grant_id: String,
        /// The scope to keep (space-separated).
        #[arg(long)]
        scope: Option<String>,
        /// The authorization details to keep: a JSON array, or @FILE.
        #[arg(long, value_name = "JSON|@FILE")]
        authorization_details: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct FilesArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(subcommand)]
    pub action: Option<FilesAction>,
    #[command(flatten)]
    pub options: ConsoleOptions,
}

#[derive(Debug, Subcommand)]
pub enum FilesAction {
    /// Every shared file (the default).
    List,
    /// One file's description.
    Show { file_id: String },
    /// Save a file; PATH must not exist yet.
    Download {
        file_id: String,
        #[arg(short, long, value_name = "PATH")]
        output: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The registered profile (see `cds-wizard profiles`).
    pub profile: String,
    #[command(flatten)]
    pub options: ConsoleOptions,
}
