import { previewName } from './fleet';
import { previewEnvironment } from './preview';

/** The previews' template: the preview of no pull request, which plan, validate and verify see (environments/preview.ts). */
export default previewEnvironment(previewName(0));
