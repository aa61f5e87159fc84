/**
 * Load the page afresh from the server. A redeploy renames the page chunks (their names carry
 * a hash of their content), so after one only a full reload (a new index.html) finds them.
 */
export function reloadPage(): void {
  window.location.reload();
}
