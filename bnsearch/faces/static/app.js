// Enhancements only: the page works without them.
// - "/" focuses the search box;
// - completions of the last word while typing, as an ARIA 1.2 combobox
//   (arrows move, Enter takes one, Esc closes; the list comes from
//   /api/v1/suggest, which completes the last word as a prefix);
// - a search sends no empty or default fields (one URL per page);
// - an article opened at a section moves the focus there.
"use strict";

document.addEventListener("keydown", (event) => {
  const box = document.getElementById("q");
  const active = document.activeElement;
  if (event.key === "/" && box && active !== box &&
      !(active instanceof HTMLInputElement) && !(active instanceof HTMLTextAreaElement)) {
    event.preventDefault();
    box.focus();
    box.select();
  }
});

function setUpForm(form) {
  form.addEventListener("submit", () => {
    for (const field of form.querySelectorAll("input[name]")) {
      if (field.type === "checkbox" ? !field.checked : field.value.trim() === "" && field.name !== "q") {
        field.disabled = true; // not sent: "section=" would make a second URL for the page
      }
    }
    // Re-enabled after the page is left, for the back button's copy of it.
    setTimeout(() => form.querySelectorAll("input[name]").forEach((f) => { f.disabled = false; }), 0);
  });
}

function setUpCombobox(box) {
  const form = box.form;
  const list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", document.documentElement.lang === "en" ? "Suggestions" : "পরামর্শ");
  list.hidden = true;
  box.parentElement.appendChild(list);
  box.setAttribute("role", "combobox");
  box.setAttribute("aria-autocomplete", "list");
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-expanded", "false");
  box.setAttribute("autocomplete", "off"); // our list, not the browser's, while the script runs

  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }

  function mark(index) {
    active = index;
    options.forEach((option, n) => option.setAttribute("aria-selected", String(n === index)));
    if (index >= 0) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function withCompletion(word) {
    const words = box.value.replace(/\s+$/, "").split(/\s+/);
    words[words.length - 1] = word;
    return words.join(" ");
  }

  function choose(index) {
    box.value = withCompletion(options[index].dataset.word);
    close();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function show(words) {
    list.replaceChildren();
    options = words.map((word, n) => {
      const option = document.createElement("li");
      option.id = `q-option-${n}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.word = word;
      option.lang = "bn";
      option.textContent = withCompletion(word);
      option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(n); });
      list.appendChild(option);
      return option;
    });
    active = -1;
    list.hidden = options.length === 0;
    box.setAttribute("aria-expanded", String(options.length > 0));
  }

  async function suggest() {
    const text = box.value;
    const last = text.trim().split(/\s+/).pop() || "";
    if (last.length < 2 || /\s$/.test(text)) { close(); return; }
    const mine = ++asked;
    try {
      const params = new URLSearchParams({ q: text, limit: "8", spelling: "false" });
      const response = await fetch(`/api/v1/suggest?${params}`, { headers: { Accept: "application/json" } });
      if (!response.ok || mine !== asked) return;
      const found = await response.json();
      if (mine !== asked || box.value !== text) return;
      show((found.completions || []).filter((word) => word !== last));
    } catch (error) {
      close(); // suggestions are a help: a failed one is no error for the reader
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      mark((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      mark(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  box.addEventListener("blur", () => setTimeout(close, 100));
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.search");
  if (form) setUpForm(form);
  const box = document.getElementById("q");
  if (box && window.fetch) setUpCombobox(box);
  const current = document.querySelector("section.current");
  if (current) current.focus({ preventScroll: false });
});
