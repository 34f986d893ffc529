// @ts-check
// The files to replay and their order. Files come from drag and drop (files and,
// where the browser allows, whole folders through DataTransferItem entries), a file
// picker, a folder picker (webkitdirectory), or the bundled sample (copied next to the
// page by www/build.sh, with sample/files.json listing its files). Each file comes
// with its path (relative, `/`-separated), which orders the replay.
//
// Order matters, because the detector judges each event against what came before it;
// the order is the core's (`Detector.replayOrder`, asked of the worker by main.js):
// CloudTrail's files by the delivery stamp in their names, across accounts and
// regions. This module only finds the files and their paths.

/**
 * A file to replay and its path (relative, `/`-separated), which orders the replay.
 * @typedef {{ file: File, path: string }} InputFile
 */

/**
 * The elements that give files: a drop zone, two buttons, and the two hidden file
 * inputs they open (files; a folder, with webkitdirectory).
 * @typedef {object} FileControls
 * @property {HTMLElement} dropzone
 * @property {HTMLElement} pickFiles
 * @property {HTMLElement} pickFolder
 * @property {HTMLInputElement} fileInput
 * @property {HTMLInputElement} folderInput
 */

/**
 * Names a folder may hold that are worth reading (files picked one by one always are):
 * logs, and Elastic's rule files (`.toml`).
 */
const LOG_NAME = /\.(json|jsonl|ndjson|log|txt)(\.gz)?$|\.gz$|\.toml$/i;

/**
 * Whether a file found inside a folder is read: log-like names and rule files, no
 * hidden files.
 * @param {string} path
 */
export function isLogFileInFolder(path) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return !name.startsWith('.') && LOG_NAME.test(name);
}

/**
 * Whether a file given is one of Elastic's rule files (detection-rules TOML), to run
 * instead of the built-in rule, rather than a log.
 * @param {string} path
 */
export function isRuleFile(path) {
  return /\.toml$/i.test(path);
}

/**
 * Paths in the order the command line walks a folder: folder by folder, each one's
 * entries by name (`a/z` before `a-b/c`, which a comparison of whole strings reverses).
 * @param {string} a
 * @param {string} b
 */
export function comparePaths(a, b) {
  const [x, y] = [a.split('/'), b.split('/')];
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * Wires `dropzone` and the pickers; calls `onFiles(inputs)` with `{file, path}`, in
 * the order found, whenever the user gives files.
 * @param {FileControls} controls
 * @param {(inputs: InputFile[]) => void} onFiles
 */
export function collectFiles({ dropzone, pickFiles, pickFolder, fileInput, folderInput }, onFiles) {
  /** @param {InputFile[]} inputs */
  const give = (inputs) => {
    if (inputs.length) onFiles(inputs);
  };
  pickFiles.addEventListener('click', () => fileInput.click());
  pickFolder.addEventListener('click', () => folderInput.click());
  fileInput.addEventListener('change', () => {
    give([...fileInput.files ?? []].map((file) => ({ file, path: file.name })));
    fileInput.value = '';
  });
  folderInput.addEventListener('change', () => {
    const inputs = [...folderInput.files ?? []]
      .map((file) => ({ file, path: file.webkitRelativePath || file.name }))
      .filter((input) => isLogFileInFolder(input.path));
    give(inputs);
    folderInput.value = '';
  });

  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    dropzone.classList.add('over');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('over'));
  dropzone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropzone.classList.remove('over');
    // Entries must be taken while the event is being dispatched.
    const items = [...(event.dataTransfer?.items ?? [])].filter((item) => item.kind === 'file');
    const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
    if (entries.length && everyPresent(entries)) {
      filesOfEntries(entries).then(give, () => give(droppedFiles(event)));
    } else {
      give(droppedFiles(event));
    }
  });
  // A file dropped beside the zone must not make the browser navigate to it.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
}

/**
 * Whether no entry is null (the browser gave every dropped item as an entry).
 * @param {(FileSystemEntry | null)[]} entries
 * @returns {entries is FileSystemEntry[]}
 */
function everyPresent(entries) {
  return entries.every(Boolean);
}

/**
 * @param {DragEvent} event
 * @returns {InputFile[]}
 */
function droppedFiles(event) {
  return [...(event.dataTransfer?.files ?? [])].map((file) => ({ file, path: file.name }));
}

/**
 * Every file under dropped entries; inside folders, only log-like names.
 * @param {FileSystemEntry[]} entries
 */
async function filesOfEntries(entries) {
  /** @type {InputFile[]} */
  const out = [];
  for (const entry of entries) {
    if (isFile(entry)) out.push({ file: await fileOf(entry), path: entry.name });
    else if (isDirectory(entry)) await walk(entry, out);
  }
  return out;
}

/**
 * @param {FileSystemDirectoryEntry} directory
 * @param {InputFile[]} out
 */
async function walk(directory, out) {
  for (const entry of await allEntries(directory.createReader())) {
    const path = entry.fullPath.replace(/^\//, '');
    if (isDirectory(entry)) await walk(entry, out);
    else if (isFile(entry) && isLogFileInFolder(path)) out.push({ file: await fileOf(entry), path });
  }
}

/**
 * @param {FileSystemEntry} entry
 * @returns {entry is FileSystemFileEntry}
 */
function isFile(entry) {
  return entry.isFile;
}

/**
 * @param {FileSystemEntry} entry
 * @returns {entry is FileSystemDirectoryEntry}
 */
function isDirectory(entry) {
  return entry.isDirectory;
}

/**
 * readEntries gives a directory in pieces: call it until it gives nothing.
 * @param {FileSystemDirectoryReader} reader
 */
async function allEntries(reader) {
  /** @type {FileSystemEntry[]} */
  const all = [];
  for (;;) {
    /** @type {FileSystemEntry[]} */
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) return all;
    all.push(...batch);
  }
}

/**
 * @param {FileSystemFileEntry} entry
 * @returns {Promise<File>}
 */
function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/**
 * The bundled sample, fetched from this page's own origin, as if its folder were dropped.
 * @param {URL} [baseUrl]
 * @returns {Promise<InputFile[]>}
 */
export async function sampleFiles(baseUrl = new URL('../sample/', import.meta.url)) {
  const response = await fetch(new URL('files.json', baseUrl));
  if (!response.ok) throw new Error(`the sample's file list is missing (${response.status})`);
  /** @type {string[]} written by www/build.sh */
  const paths = await response.json();
  return Promise.all(paths.map(async (path) => {
    const file = await fetch(new URL(path, baseUrl));
    if (!file.ok) throw new Error(`${path}: ${file.status}`);
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { file: new File([await file.blob()], name), path };
  }));
}
