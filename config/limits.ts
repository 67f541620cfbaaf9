/**
 * Limits of the systems a stack's configuration ends up in, as their sources state them. The
 * validation refuses values beyond them up front, naming the key, instead of leaving the refusal to
 * the API server, the operator or the tool that reads the rendered file.
 */

/** Kubernetes int32 fields (replicas, probe periods, ports, HPA bounds): math.MaxInt32. */
export const INT32_MAX = 2_147_483_647;

/**
 * HorizontalPodAutoscaler behaviour (k8s.io/kubernetes pkg/apis/autoscaling/validation:
 * MaxPeriodSeconds = 1800, MaxStabilizationWindowSeconds = 3600; the API reference of HPAScalingRules
 * says "less than or equal to 3600 (one hour)").
 */
export const HPA_MAX_PERIOD_SECONDS = 1800;
export const HPA_MAX_STABILIZATION_SECONDS = 3600;

/** DNS-1123 (k8s.io/apimachinery pkg/util/validation): a label at most 63 characters, a subdomain at most 253. */
export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;

/**
 * etcd refuses a request larger than --max-request-bytes, 1.5 MiB by default (etcd's
 * embed.DefaultMaxRequestBytes = 1.5 * 1024 * 1024); an object stored with its managed fields and
 * annotations must stay well under it.
 */
export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/**
 * PostgreSQL time settings in milliseconds (statement_timeout, idle_in_transaction_session_timeout,
 * log_min_duration_statement) are ints: at most INT_MAX ms ("2147483647 .. is outside the valid range").
 */
export const POSTGRES_MAX_MILLISECONDS = 2_147_483_647;

/**
 * Prometheus durations (model.Duration) are int64 nanoseconds: about 292 years. Larger ones fail
 * parsing ("duration out of range").
 */
export const PROMETHEUS_MAX_DURATION_MS = Math.floor(Number(2n ** 63n - 1n) / 1e6);

/**
 * S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3-63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, no two
 * adjacent periods, not formatted as an IP address, none of these prefixes and suffixes.
 */
export const S3_BUCKET_PREFIXES_RESERVED = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
export const S3_BUCKET_SUFFIXES_RESERVED = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

/**
 * Image references (github.com/distribution/reference): a name of at most 255 characters; path
 * components of lowercase alphanumerics separated by '.', '_', '__' or any number of '-'; a registry
 * host (with a port) as its first component.
 */
export const IMAGE_NAME_MAX = 255;

/**
 * PostgreSQL parameters CloudNativePG sets itself or forbids (pkg/postgres/configuration.go,
 * FixedConfigurationParameters: "the parameters that can't be changed by the user"): its webhook
 * refuses a Cluster that sets one.
 */
export const CNPG_FIXED_PARAMETERS = [
  "allow_system_table_mods", "archive_mode", "bonjour", "bonjour_name", "cluster_name", "config_file", "data_directory", "data_sync_retry",
  "dynamic_shared_memory_type", "event_source", "external_pid_file", "hba_file", "hot_standby", "huge_pages", "ident_file", "jit_provider",
  "listen_addresses", "logging_collector", "port", "primary_conninfo", "primary_slot_name", "recovery_target", "recovery_target_action",
  "recovery_target_inclusive", "recovery_target_lsn", "recovery_target_name", "recovery_target_time", "recovery_target_timeline",
  "recovery_target_xid", "restore_command", "shared_memory_type", "unix_socket_directories", "unix_socket_group", "unix_socket_permissions",
  "wal_level", "wal_log_hints", "archive_cleanup_command", "archive_command", "archive_timeout", "full_page_writes", "log_destination",
  "log_directory", "log_file_mode", "log_filename", "log_rotation_age", "log_rotation_size", "log_truncate_on_rotation", "promote_trigger_file",
  "recovery_end_command", "recovery_min_apply_delay", "restart_after_crash", "ssl", "ssl_ca_file", "ssl_cert_file", "ssl_ciphers",
  "ssl_crl_file", "ssl_dh_params_file", "ssl_ecdh_curve", "ssl_key_file", "ssl_max_protocol_version", "ssl_min_protocol_version",
  "ssl_passphrase_command", "ssl_passphrase_command_supports_reload", "ssl_prefer_server_ciphers", "stats_temp_directory",
  "synchronous_standby_names", "syslog_facility", "syslog_ident", "syslog_sequence_numbers", "syslog_split_messages",
] as const;

/**
 * Cron fields as Kubernetes reads a CronJob's schedule (robfig/cron/v3 ParseStandard): minute 0-59,
 * hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT.
 */
export const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;
