import { MOVING_TAGS } from "../policies/contract";

/** Container image references: repository plus tag and/or digest. */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/** How strictly a stack pins its images. */
export type ImagePinning = "digest" | "immutable-tag" | "tag";

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/** Release tags that a registry with tag immutability never moves: semantic versions or git SHAs. */
export const IMMUTABLE_TAG_PATTERN = /^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$/;
/** Tags that always move (the pack's rule too). */
export { MOVING_TAGS };

/** The reference as the container runtime takes it: repo:tag@digest, repo@digest or repo:tag. */
export function imageReference(image: ImageRef): string {
  const tag = image.tag ? `:${image.tag}` : "";
  const digest = image.digest ? `@${image.digest}` : "";
  return `${image.repository}${tag}${digest}`;
}

/** Why an image does not meet a pinning level, or undefined when it does. */
export function pinningProblem(image: ImageRef, pinning: ImagePinning): string | undefined {
  if (image.tag && MOVING_TAGS.has(image.tag)) {
    return `tag "${image.tag}" moves with every push; pin a release tag or a digest`;
  }
  if (image.digest) return undefined;
  if (pinning === "digest") {
    return `imagePinning is "digest": add digest: sha256:<64 hex> (tag "${image.tag}" alone is not enough)`;
  }
  if (pinning === "immutable-tag" && !IMMUTABLE_TAG_PATTERN.test(image.tag ?? "")) {
    return `imagePinning is "immutable-tag": tag "${image.tag}" is not a release version (v1.2.3) or git SHA; use one, or add a digest`;
  }
  return undefined;
}

/** A short, stable identifier of an image, for names that must change when the image does. */
export function imageIdentity(image: ImageRef): string {
  return image.digest ?? `${image.repository}:${image.tag}`;
}

/** The PostgreSQL major version of an operand image such as ghcr.io/cloudnative-pg/postgresql:17.5. */
export function postgresMajor(imageName: string): string | undefined {
  return /:(\d+)[^/]*$/.exec(imageName)?.[1];
}
