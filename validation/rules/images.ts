/**
 * pod/image-pinned — images name an explicit tag other than `latest`, or a digest, so a rollout is
 * reproducible and a GitOps diff shows every image change.
 */
import type { Violation } from '../types';
import { asString, containersOf, show, violation, type RuleFamily } from './model';

export const IMAGE_PINNED = 'pod/image-pinned';

const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits `registry:port/path:tag@digest`; the tag colon is the last one after the last slash. */
export function parseImage(image: string): ImageRef {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return {
    repository: hasTag ? rest.slice(0, colon) : rest,
    ...(hasTag ? { tag: rest.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Why the image is not pinned, or undefined when it is. */
export function imageProblem(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  const ref = parseImage(image);
  if (ref.digest !== undefined) {
    return DIGEST.test(ref.digest) ? undefined : `image ${show(image)} has a malformed digest (expected sha256:<64 hex>)`;
  }
  if (ref.tag === undefined) return `image ${show(image)} has no tag (pin a version tag or a digest; not latest)`;
  if (ref.tag === 'latest') return `image ${show(image)} uses the latest tag (pin a version tag or a digest)`;
  if (!TAG.test(ref.tag)) return `image ${show(image)} has a malformed tag ${show(ref.tag)}`;
  return undefined;
}

export const imageRules: RuleFamily = {
  ids: [IMAGE_PINNED],
  check(model, _ctx, out: Violation[]) {
    for (const pod of model.pods) {
      for (const c of containersOf(pod)) {
        const problem = imageProblem(asString(c.container.image));
        if (problem) out.push(violation(IMAGE_PINNED, pod.entry, `${c.path}.image`, `container "${c.name}" ${problem}`));
      }
    }
  },
};
