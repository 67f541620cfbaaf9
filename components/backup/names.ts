/** Name of the Kubernetes Secret with the backup writer's access key (unless IRSA is used). */
export const BACKUP_CREDENTIALS = "backup-s3-credentials";
/** Name of the Secret with the read-only access key the restore drill reads backups with (unless IRSA is used). */
export const BACKUP_READER_CREDENTIALS = "backup-s3-reader-credentials";
