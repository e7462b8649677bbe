// Fangfan's own behaviour, kept out of the pages so the content security policy can
// forbid inline scripts.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches && el.matches(".js-autosubmit")) el.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const el = event.target.closest && event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
});
