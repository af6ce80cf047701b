/* Automatic theme: a page left open when the hospital's night starts or ends turns with it. The server drew
   the page in the right theme and said how many seconds remain, by the hospital's clock
   (data-theme-switch-in on <html>); this only flips it then, with the browser bar's colour. */
(function () {
  "use strict";
  var root = document.documentElement;
  var seconds = Number(root.dataset.themeSwitchIn);
  if (!seconds) { return; }
  var COLOR = { day: "#0b5c7a", night: "#1c1611" };  /* server/theme.py THEME_COLOR */
  setTimeout(function () {
    var theme = root.dataset.theme === "night" ? "day" : "night";
    root.dataset.theme = theme;
    var bar = document.querySelector('meta[name="theme-color"]');
    var scheme = document.querySelector('meta[name="color-scheme"]');
    if (bar) { bar.content = COLOR[theme]; }
    if (scheme) { scheme.content = theme === "night" ? "dark" : "light"; }
  }, Math.min(seconds, 86400) * 1000);
})();
