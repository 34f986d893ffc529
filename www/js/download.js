// Saving a Blob as a file, without any server: a blob: URL and a temporary link.

export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `name-2026-11-02T14-05-00.ext`: a file name that sorts by when it was saved. */
export function stampedName(name, extension) {
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
  return `${name}-${stamp}.${extension}`;
}
