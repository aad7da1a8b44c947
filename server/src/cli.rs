use clap::{Parser, Subcommand};

const CONFIGURATION_HELP: &str = "\
Configuration comes from environment variables (see README.md, \"Configuration\"):
  DATABASE_URL                     PostgreSQL connection URL (required)
  DLRHUB_LISTEN_ADDR               address to listen on [default: 127.0.0.1:3000]
  DLRHUB_PUBLIC_URL                public base URL for callback URLs [default: http://LISTEN_ADDR]
  DLRHUB_LOG_FORMAT                pretty or json [default: pretty]
  DLRHUB_MASTER_KEY                base64 of 32 random bytes; encrypts secrets at rest (serve)
  DLRHUB_PREVIOUS_MASTER_KEYS      comma-separated keys secrets may still be sealed under (rotation)
  DLRHUB_READ_DATABASE_URL         a read replica for the explorer, exports and charts
  DLRHUB_DB_MAX_CONNECTIONS        pool size [default: 10]
  DLRHUB_DB_MIN_CONNECTIONS        idle connections kept open [default: 0]
  DLRHUB_DB_ACQUIRE_TIMEOUT_SECS   wait for a free connection [default: 5]
  DLRHUB_SHUTDOWN_GRACE_SECS       time in-flight requests get on stop [default: 30]
  DLRHUB_RETENTION_DAYS            how long reports and events are kept [default: 90]
  DLRHUB_RAW_RETENTION_DAYS        how long Sinch's raw reports are kept [default: 14]
  DLRHUB_ROLE                      all, api (no forwarding) or workers (forwarding only) [default: all]
  DLRHUB_FORWARD_WORKERS           MoEngage requests in flight at once; 0 = none [default: 256]
  DLRHUB_FORWARD_RETRY_SCHEDULE    waits between attempts [default: 10s,1m,5m,30m,2h,6h]
  DLRHUB_FORWARD_TIMEOUT_SECS      one MoEngage request's limit [default: 3]
  DLRHUB_FORWARD_LEASE_SECS        how long a claimed event is held [default: 60]
  DLRHUB_MOENGAGE_BASE_URL         send to this URL instead of api-0N.moengage.com (simulator)
  DLRHUB_ADMIN_EMAIL               the first admin's email, created when no user exists [default: admin@dlrhub.local]
  DLRHUB_SECURE_COOKIES            false lets the session cookie travel over plain http [default: true]
  DLRHUB_SESSION_IDLE_MINUTES      a session ends after this long without requests [default: 120]
  DLRHUB_SESSION_MAX_HOURS         and this long after sign-in, whatever the activity [default: 12]
  DLRHUB_METRICS_TOKEN             bearer token Prometheus presents to GET /metrics
  DLRHUB_CLIENT_IP_HEADER          header a reverse proxy sets with the client address (X-Forwarded-For)
  RUST_LOG                         log filter [default: info]";

/// dlrhub bridges Sinch SMS delivery reports to MoEngage events, with an admin console.
#[derive(Debug, Parser)]
#[command(name = "dlrhub", version, after_help = CONFIGURATION_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Default, Subcommand)]
pub enum Command {
    /// Serve the console, the Sinch webhook and the health checks, and forward events to
    /// MoEngage (the default; DLRHUB_ROLE splits the two).
    ///
    /// Applies pending database migrations first, then listens on DLRHUB_LISTEN_ADDR until
    /// SIGINT or SIGTERM, when it stops accepting connections and lets in-flight requests
    /// (to it and to MoEngage) finish for up to DLRHUB_SHUTDOWN_GRACE_SECS.
    #[default]
    #[command(after_help = CONFIGURATION_HELP)]
    Serve,
    /// Apply pending database migrations and exit.
    ///
    /// Needs only DATABASE_URL. Safe to run while other dlrhub processes are serving:
    /// migrations take an advisory lock.
    Migrate,
    /// Simulate the services dlrhub talks to, for tests, benchmarks and demos.
    #[command(subcommand)]
    Sim(SimCommand),
    /// Register MoEngage workspaces and manage their Sinch integration.
    #[command(subcommand, after_help = CONFIGURATION_HELP)]
    Tenant(TenantCommand),
    /// Work with the events forwarded to MoEngage.
    #[command(subcommand, after_help = CONFIGURATION_HELP)]
    Events(EventsCommand),
    /// Manage the people who may use the console.
    #[command(subcommand, after_help = CONFIGURATION_HELP)]
    User(UserCommand),
    /// Tools for development and benchmarks: synthetic history, timings.
    #[command(subcommand, after_help = CONFIGURATION_HELP)]
    Dev(DevCommand),
    /// Re-encrypt every stored secret under DLRHUB_MASTER_KEY, the last step of a master key
    /// rotation: secrets sealed under a key in DLRHUB_PREVIOUS_MASTER_KEYS are opened with it
    /// and sealed again. All or nothing; running it twice is harmless.
    #[command(after_help = CONFIGURATION_HELP)]
    ResealSecrets,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SimCommand {
    /// Send Sinch delivery reports to a callback URL at a steady rate, and report the rate
    /// achieved, latency percentiles and errors.
    Sinch(crate::sim::sinch::SinchArgs),
    /// Serve MoEngage's Data API (/v1/event, /v1/transition) with its validation, rate
    /// limit and configurable faults; GET /_sim/received lists what it accepted.
    Moengage(crate::sim::moengage::MoengageArgs),
}

#[derive(Debug, Clone, Subcommand)]
pub enum TenantCommand {
    /// Register a workspace; prints its callback URL. The integration starts disabled.
    Add {
        /// The MoEngage workspace id (app_key), from MoEngage Settings → General.
        #[arg(long)]
        app_key: String,
        /// A name people recognise, e.g. "Acme (production)".
        #[arg(long)]
        name: String,
        /// The MoEngage data center: 01 to 06.
        #[arg(long)]
        dc: String,
        /// The workspace's MoEngage Data API key; stored encrypted, shown only as its last 4.
        #[arg(long, env = "DLRHUB_DATA_API_KEY", hide_env_values = true)]
        data_api_key: String,
    },
    /// Enable the Sinch integration: callbacks are accepted from now on.
    Enable { app_key: String },
    /// Disable the Sinch integration: callbacks answer 403 and are counted.
    Disable { app_key: String },
    /// List the registered workspaces.
    List,
    /// Show one workspace, with its callback URL (which carries its credentials).
    Show {
        app_key: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Replace the callback password; the old callback URL stops working at once.
    RotateCredentials { app_key: String },
    /// Verify Sinch's HMAC signature on this workspace's callbacks (set up with Sinch's
    /// account manager), or stop verifying it.
    Hmac {
        app_key: String,
        /// The signing secret agreed with Sinch.
        #[arg(long, env = "DLRHUB_HMAC_SECRET", hide_env_values = true, conflicts_with_all = ["generate", "off"])]
        secret: Option<String>,
        /// Generate a secret and print it, to hand to Sinch.
        #[arg(long, conflicts_with = "off")]
        generate: bool,
        /// Remove the secret: signatures are no longer checked.
        #[arg(long)]
        off: bool,
    },
    /// Replace the workspace's MoEngage Data API key. Resumes forwarding if MoEngage had
    /// refused the old key (401).
    SetDataApiKey {
        app_key: String,
        /// The new Data API key; stored encrypted, shown only as its last 4.
        #[arg(long, env = "DLRHUB_DATA_API_KEY", hide_env_values = true)]
        data_api_key: String,
    },
    /// Change how the workspace's events are forwarded; settings not given stay as they are.
    Forwarding {
        app_key: String,
        /// Events per second sent to MoEngage (it allows about 500 per workspace).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        rate: Option<u32>,
        /// Requests to MoEngage in flight at once for this workspace.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        concurrency: Option<u32>,
        /// Send the full recipient number (true) or a masked one (false).
        #[arg(long)]
        full_recipient: Option<bool>,
        /// Use MoEngage's bulk API (true): fewer requests, but it answers 200 whatever
        /// becomes of each event, so refusals are never seen.
        #[arg(long)]
        bulk: Option<bool>,
    },
    /// Delete the workspace: its callbacks answer 404 and its events stop being forwarded;
    /// its rows stay until retention removes them.
    Delete {
        app_key: String,
        /// The workspace id again, to confirm.
        #[arg(long)]
        confirm: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum EventsCommand {
    /// Send events to MoEngage again: one event (whatever its state), or a workspace's
    /// dead letters, optionally only those created in [--from, --to).
    Replay {
        /// The workspace id (app_key) the events belong to.
        #[arg(long)]
        tenant: String,
        /// One event's id.
        #[arg(long, conflicts_with_all = ["from", "to"])]
        event: Option<i64>,
        /// Dead letters created at or after this time (RFC 3339, e.g. 2026-11-27T10:00:00Z).
        #[arg(long)]
        from: Option<chrono::DateTime<chrono::Utc>>,
        /// Dead letters created before this time (RFC 3339).
        #[arg(long)]
        to: Option<chrono::DateTime<chrono::Utc>>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum DevCommand {
    /// Write synthetic delivery history straight into the database: tenants SEED01, SEED02,
    /// ... (registered if missing, integration on) and their reports, messages, events and
    /// forwarding attempts, spread over the last --days days.
    Seed {
        /// Reports in all, shared evenly between the tenants.
        #[arg(long, default_value_t = 100_000)]
        events: i64,
        #[arg(long, default_value_t = 4)]
        tenants: u32,
        #[arg(long, default_value_t = 7)]
        days: i32,
    },
    /// Time what the console's overview and tenant pages cost: the roll-up rebuilt from
    /// scratch (it clears the hourly counts first), a steady pass, then the pages' queries,
    /// --runs times each.
    BenchActivity {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Time the event explorer's pages on the seeded events: the list with each kind of
    /// filter, a page deep in the history, the filter counts and a large export, --runs
    /// times each.
    BenchExplorer {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
    /// Register a demo workspace and send it a minute of simulated Sinch traffic through
    /// DLRHUB_PUBLIC_URL (a running `dlrhub serve`), as the console's "Try it with
    /// simulated traffic" does. Only where DLRHUB_MOENGAGE_BASE_URL is the MoEngage
    /// simulator.
    Demo,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Add a user; prints the generated password once (or reads one from stdin).
    Add {
        #[arg(long)]
        email: String,
        /// admin (everything, and users), support (tenants, replays, events) or viewer
        /// (read-only, only the tenants given with --tenant, phone numbers masked).
        #[arg(long)]
        role: String,
        /// A workspace id (app_key) a viewer may see; repeat for several.
        #[arg(long = "tenant")]
        tenants: Vec<String>,
        /// Read the password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Give a user a new password (printed once, or read from stdin) and end their sessions.
    ResetPassword {
        email: String,
        /// Read the password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the users, their roles and tenants.
    List,
}
