/* A front's arrangement on one screen (templates/admin/fronts/front/arrangement.html).

Collections and their pinned stories get a handle: drag it, or focus it and press the up and
down arrow keys (a story moved past either end of its collection goes into the next one).
Every move writes the fields the page has without this script, the positions and each pin's
collection, and the preview beside it is refreshed from the form as it is, saved or not.
"Pin a story here" adds a pin row to a collection with the story chooser.
*/
"use strict";
(function () {
  const root = document.querySelector("[data-arrangement]");
  if (!root) {
    return;
  }
  // The admin's catalogue (jsi18n) translates; without it, the English text.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((text, args) => {
    let index = 0;
    return text.replace(/%s/g, () => String(args[index++]));
  });
  const form = root.closest("form");
  const status = root.querySelector("[data-arrange-status]");
  const collectionsList = root.querySelector("[data-collections]");
  const previewButton = root.querySelector("[data-preview-button]");
  const pinTemplate = document.getElementById("arrange-pin-template");
  const totalPins = form.querySelector('input[name="pins-TOTAL_FORMS"]');

  const say = (message) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message; }, 50);
  };

  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);

  const titleOf = (row) => {
    if (row.matches("[data-pin]")) {
      const story = field(row, "article");
      const option = story && story.selectedOptions[0];
      return option && option.value ? option.textContent.trim() : gettext("New pin");
    }
    const title = field(row, "title");
    return (title && title.value.trim()) || gettext("New collection");
  };

  const collectionTitle = (list) => titleOf(list.closest(".arrange-collection"));

  // The fields a move changes: positions in the order shown, each pin's collection.
  const renumber = () => {
    collectionsList.querySelectorAll(":scope > .arrange-collection").forEach((row, index) => {
      const position = field(row.querySelector(".arrange-collection-head"), "position");
      if (position) {
        position.value = index;
      }
    });
    root.querySelectorAll("[data-pins]").forEach((list) => {
      list.querySelectorAll(":scope > [data-pin]").forEach((pin, index) => {
        field(pin, "position").value = index;
        field(pin, "collection").value = list.dataset.pins;
      });
    });
  };

  let previewTimer = null;
  const refreshPreview = () => {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(() => {
      if (previewButton) {
        form.requestSubmit(previewButton);
      }
    }, 600);
  };

  const moved = (row) => {
    renumber();
    const list = row.parentElement;
    const place = Array.prototype.indexOf.call(list.children, row) + 1;
    if (row.matches("[data-pin]")) {
      say(interpolate(gettext("%s: story %s of %s in %s."),
        [titleOf(row), place, list.children.length, collectionTitle(list)]));
    } else {
      // A new collection's row counts once it has a title.
      const named = Array.from(list.children).filter(
        (child) => child === row || child.dataset.collection || field(child, "title").value.trim());
      say(interpolate(gettext("%s: collection %s of %s."),
        [titleOf(row), named.indexOf(row) + 1, named.length]));
    }
    refreshPreview();
  };

  // Pin lists in page order, to move a story past the end of its collection.
  const pinLists = () => Array.from(root.querySelectorAll("[data-pins]"));

  const moveBy = (row, step) => {
    const list = row.parentElement;
    const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (sibling) {
      list.insertBefore(row, step < 0 ? sibling : sibling.nextElementSibling);
    } else if (row.matches("[data-pin]") && list.matches("[data-pins]")) {
      const lists = pinLists();
      const next = lists[lists.indexOf(list) + step];
      if (!next) {
        say(gettext("It is at the end already."));
        return;
      }
      next.insertBefore(row, step < 0 ? null : next.firstElementChild);
    } else {
      say(gettext("It is at the end already."));
      return;
    }
    moved(row);
  };

  let dragged = null;

  const addHandle = (row) => {
    const head = row.querySelector(":scope > .arrange-collection-head, :scope > .arrange-pin-main");
    if (head.querySelector(":scope > .arrange-handle")) {
      return;
    }
    const handle = document.createElement("button");
    handle.type = "button";
    handle.className = "arrange-handle";
    handle.draggable = true;
    handle.setAttribute("aria-describedby", "arrangement-help");
    const label = () => interpolate(gettext("Move “%s”"), [titleOf(row)]);
    handle.setAttribute("aria-label", label());
    handle.addEventListener("focus", () => handle.setAttribute("aria-label", label()));
    handle.textContent = "⠿";
    handle.addEventListener("keydown", (event) => {
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        moveBy(row, event.key === "ArrowUp" ? -1 : 1);
        handle.focus();
      }
    });
    handle.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("arrange-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", titleOf(row));
      if (event.dataTransfer.setDragImage) {
        event.dataTransfer.setDragImage(row, 16, 16);
      }
    });
    handle.addEventListener("dragend", () => {
      row.classList.remove("arrange-dragging");
      dragged = null;
    });
    head.prepend(handle);
  };

  // Where a dragged row lands: before the first row of the list whose middle is below.
  const dropTarget = (list, y) => {
    const rows = Array.from(list.children).filter((child) => child !== dragged);
    return rows.find((child) => {
      const box = child.getBoundingClientRect();
      return y < box.top + box.height / 2;
    }) || null;
  };

  const acceptsDrop = (list) => dragged && (
    dragged.matches("[data-pin]") ? list.matches("[data-pins]") : list === collectionsList
  );

  const listUnder = (target) => {
    if (!dragged) {
      return null;
    }
    if (dragged.matches("[data-pin]")) {
      const collection = target.closest(".arrange-collection");
      return collection && collection.querySelector("[data-pins]");
    }
    return target.closest("[data-collections]");
  };

  root.addEventListener("dragover", (event) => {
    const list = listUnder(event.target);
    if (list && acceptsDrop(list)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  root.addEventListener("drop", (event) => {
    const list = listUnder(event.target);
    if (!list || !acceptsDrop(list)) {
      return;
    }
    event.preventDefault();
    const row = dragged;
    list.insertBefore(row, dropTarget(list, event.clientY));
    row.classList.remove("arrange-dragging");
    dragged = null;
    moved(row);
    row.querySelector(".arrange-handle").focus();
  });

  // A new pin row in a collection, its story chosen with the admin's autocomplete.
  const addPin = (list) => {
    const index = Number(totalPins.value);
    const html = pinTemplate.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    list.appendChild(row);
    totalPins.value = index + 1;
    addHandle(row);
    renumber();
    row.dispatchEvent(new CustomEvent("formset:added", { bubbles: true, detail: { formsetName: "pins" } }));
    const story = field(row, "article");
    window.setTimeout(() => {
      // The autocomplete, opened, with its search box focused.
      if (window.django && window.django.jQuery && window.django.jQuery(story).data("select2")) {
        window.django.jQuery(story).select2("open");
      } else {
        story.focus();
      }
    }, 0);
    say(interpolate(gettext("New pin in %s: choose its story."), [collectionTitle(list)]));
  };

  pinLists().forEach((list) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button arrange-add-pin";
    button.textContent = interpolate(gettext("Pin a story in “%s”"), [collectionTitle(list)]);
    button.addEventListener("click", () => addPin(list));
    list.after(button);
  });

  root.querySelectorAll(".arrange-collection, [data-pins] > [data-pin]").forEach(addHandle);
  root.classList.add("arrangement--enhanced");

  // Any edit of the arrangement refreshes the preview (select2 reports a choice as "change").
  form.addEventListener("change", (event) => {
    if (root.contains(event.target)) {
      refreshPreview();
    }
  });
  form.addEventListener("input", (event) => {
    if (root.contains(event.target) && event.target.matches("input[type=text], textarea")) {
      refreshPreview();
    }
  });
  if (window.django && window.django.jQuery) {
    window.django.jQuery(form).on("select2:select select2:clear", refreshPreview);
  }
  refreshPreview();
})();
