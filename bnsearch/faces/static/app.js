// An enhancement only: the page works without it. "/" focuses the search box;
// an article opened at a section moves the focus there.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  if (event.key === "/" && box && document.activeElement !== box &&
      !(document.activeElement instanceof HTMLInputElement)) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  const current = document.querySelector("section.current");
  if (current) current.focus({ preventScroll: false });
});
