/**
 * Why a backup or a restore refused to go on. These are command-line and worker failures, not
 * API errors: no endpoint returns them, so they are not in the API's error-status table.
 */
export const BACKUP_FAILURE_CODES = [
  'BACKUP_INCOMPLETE',
  'BACKUP_CORRUPT',
  'RESTORE_TARGET_NOT_EMPTY',
  'RESTORE_MISMATCH',
  'RESTORE_TOOL_FAILED',
] as const;

export type BackupFailureCode = (typeof BACKUP_FAILURE_CODES)[number];

export class BackupError extends Error {
  constructor(
    readonly code: BackupFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}
