import { projectVersion } from '@jewelshot/platform';

export const APP_VERSION = projectVersion();
