// On small screens the theme's menu and search buttons are <label>s for hidden checkboxes, which Tab cannot
// reach and screen readers do not announce as buttons. Put a real button in each one's place that flips the
// same checkbox, so the theme's own styles and behaviour follow as if the label had been clicked.
(() => {
  const names = { __drawer: "Navigation menu", __search: "Search" };
  for (const [toggle, name] of Object.entries(names)) {
    const label = document.querySelector(`label.md-header__button[for='${toggle}']`);
    const checkbox = document.getElementById(toggle);
    if (!label || !checkbox) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = `md-header__button md-icon ssd-header-toggle ssd-header-toggle--${toggle.slice(2)}`;
    button.setAttribute("aria-label", name);
    button.innerHTML = label.innerHTML;
    button.addEventListener("click", () => checkbox.click());
    label.hidden = true;
    label.after(button);
  }
})();

// While the drawer is closed on a small screen its links are off-screen: keep them out of the Tab order.
(() => {
  const drawer = document.getElementById("__drawer");
  const sidebar = document.querySelector(".md-sidebar--primary");
  if (!drawer || !sidebar) return;
  const small = matchMedia("(max-width: 76.1875em)");
  const update = () => { sidebar.inert = small.matches && !drawer.checked; };
  drawer.addEventListener("change", update);
  small.addEventListener("change", update);
  update();
})();

// A wide table scrolls sideways inside its wrapper on a phone: let the keyboard reach the wrapper to scroll it.
(() => {
  const mark = () => {
    const wrappers = [...document.querySelectorAll(".md-typeset__scrollwrap")];
    for (const [index, wrapper] of wrappers.entries()) {
      const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
      wrapper.toggleAttribute("tabindex", scrolls);
      if (scrolls) {
        wrapper.tabIndex = 0;
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", `Table ${index + 1} of ${wrappers.length}, scrolls sideways`);
      } else {
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    }
  };
  // The theme wraps tables once its own scripts have set up the page, which `document$` announces.
  if (window.document$) window.document$.subscribe(() => setTimeout(mark));
  addEventListener("load", mark);
  addEventListener("resize", mark);
})();
