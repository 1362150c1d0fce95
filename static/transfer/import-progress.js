// Shows the progress of an import without reloading; reloads once it is checked or applied.
// Hooked on [data-import-status-url], which answers {state, label, progress, finished}.
document.querySelectorAll("[data-import-status-url]").forEach((section) => {
  const url = section.dataset.importStatusUrl;
  const bar = section.querySelector("progress");
  const text = section.querySelector("[data-progress-text]");
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        bar.value = status.progress;
        bar.textContent = `${status.progress} %`;
        text.textContent = `${status.label} – ${status.progress} %`;
        if (status.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The server may be restarting; try again.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
});
