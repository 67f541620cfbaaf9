/** Name of the Kubernetes Secret with the backup writer's access key (unless IRSA is used). */
export const BACKUP_CREDENTIALS = "backup-s3-credentials";
