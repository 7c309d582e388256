/**
 * `<button data-copy="#id">` copies the text of the element it names, and
 * says so on the button for a moment. Without clipboard access the text is
 * selected instead, for Ctrl+C.
 */
export function enableCopyButtons() {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const source = document.querySelector(button.dataset.copy ?? '');
    if (!source) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener('click', async () => {
      const text = source instanceof HTMLTextAreaElement ? source.value : (source.textContent ?? '');
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied';
      } catch {
        getSelection()?.selectAllChildren(source);
        button.textContent = 'Press Ctrl+C';
      }
      setTimeout(() => (button.textContent = label), 2000);
    });
  }
}
