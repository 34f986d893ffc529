// @ts-check
// Copying text: the asynchronous Clipboard API where the page may use it, otherwise the
// older selection-and-copy way. The page's own "Copy settings link" shows the link when
// neither works; the copy buttons say "copy failed".

import { el } from './dom.js';

/**
 * Copy `text`; whether it worked.
 * @param {string} text
 * @returns {Promise<boolean>}
 */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No permission or no secure context: the selection way below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * A small button that copies `text()` and says so for a moment.
 * @param {string} label   what it copies, for its accessible name
 * @param {string} caption
 * @param {() => string} text
 */
export function copyButton(label, caption, text) {
  const button = el('button', 'copy', caption);
  button.type = 'button';
  button.setAttribute('aria-label', label);
  button.addEventListener('click', async (event) => {
    event.stopPropagation();
    const ok = await copyText(text());
    button.textContent = ok ? 'copied' : 'copy failed';
    button.dataset.copied = ok ? 'yes' : 'no';
    setTimeout(() => { button.textContent = caption; }, 1500);
  });
  return button;
}
