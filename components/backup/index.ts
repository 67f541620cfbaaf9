/** The backup component's Pulumi resources: the bucket and its access (storage), the jobs, the drill. */
export { BackupJobs } from "./jobs";
export { BackupStorage } from "./storage";
