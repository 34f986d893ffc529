// The bundled sample (pipeline-examples/data, copied next to the page by www/build.sh
// with sample/files.json listing its files): fetched from this page's own origin and
// replayed as if the user had dropped its folder.

export async function sampleFiles(baseUrl = new URL('../../sample/', import.meta.url)) {
  const response = await fetch(new URL('files.json', baseUrl));
  if (!response.ok) throw new Error(`the sample's file list is missing (${response.status})`);
  const paths = await response.json();
  return Promise.all(paths.map(async (path) => {
    const file = await fetch(new URL(path, baseUrl));
    if (!file.ok) throw new Error(`${path}: ${file.status}`);
    const name = path.slice(path.lastIndexOf('/') + 1);
    return { file: new File([await file.blob()], name), path };
  }));
}
