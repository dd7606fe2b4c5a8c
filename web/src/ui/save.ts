// Saving a file the app fetched (an export): a temporary object URL behind an <a download>,
// which the CSP allows (no data: URL, no inline script), revoked once the browser has it.
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
