/** The backups' settings: Postgres to back up, a pinned or buildable tools image, each volume once, a bucket to restore from. */
import { pinningProblem, postgresMajor } from "../image";
import { repeats } from "../primitives";
import type { Problem } from "../types";
import type { Rule } from "./rule";

export const restoreNeedsBackups: Rule = {
  name: "restore-needs-backups",
  summary: "postgres.restoreFrom needs mcp-platform:backups: the bucket to restore from.",
  check: (config) => (config.postgres?.restoreFrom && !config.backups ? [{ path: ["postgres", "restoreFrom"], message: "needs mcp-platform:backups (the bucket to restore from)" }] : []),
};

export const backupJobs: Rule = {
  name: "backup-jobs",
  summary: "Backups need Postgres; the tools image is pinned, or built under a tag from an image whose PostgreSQL major is known; each volume is backed up once.",
  check: (config) => {
    const backups = config.backups;
    if (!backups) return [];
    const problems: Problem[] = [];
    if (!config.postgres) problems.push({ path: ["backups"], message: "backs up Postgres: add mcp-platform:postgres, or remove mcp-platform:backups" });
    // A built image is pinned by the digest the push returns.
    const pinning = !backups.jobs.build && pinningProblem(backups.jobs.image, config.imagePinning);
    if (pinning) problems.push({ path: ["backups", "jobs", "image"], message: pinning });
    if (backups.jobs.build && !backups.jobs.image.tag) {
      problems.push({ path: ["backups", "jobs", "image", "tag"], message: 'build: true pushes under a tag: set one (e.g. the PostgreSQL major, "17-1")' });
    }
    if (backups.jobs.build && config.postgres && !postgresMajor(config.postgres.imageName)) {
      problems.push({ path: ["postgres", "imageName"], message: "backups.jobs.build needs the PostgreSQL major version from this image's tag (e.g. :17.5)" });
    }
    for (const i of repeats(backups.volumes.map((v) => v.claim))) {
      problems.push({ path: ["backups", "volumes", i, "claim"], message: `"${backups.volumes[i].claim}" is listed twice` });
    }
    return problems;
  },
};
