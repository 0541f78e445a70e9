// The login form. The token goes to the app's login route in a POST body (never in a URL); the
// route answers with an HttpOnly session cookie, and the page reloads at the same address, so a
// deep link (e.g. /admin_agreement) lands where it pointed.
export default function (component) {
  const { data, parentElement } = component;
  if (parentElement.__mbForm) return;
  const form = document.createElement("form");
  form.className = "mb-login";
  const label = document.createElement("label");
  label.textContent = "Login token";
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "current-password";
  input.setAttribute("data-testid", "mb-token");
  label.appendChild(input);
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Log in";
  const message = document.createElement("div");
  message.className = "mb-login-message";
  message.setAttribute("role", "alert");
  message.setAttribute("data-testid", "mb-login-message");
  form.append(label, button, message);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true;
    message.textContent = "";
    try {
      const r = await fetch(data.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token: input.value }),
      });
      const body = await r.json().catch(() => ({}));
      if (r.ok) {
        window.location.reload();
        return;
      }
      message.textContent = body.error || `login failed (HTTP ${r.status})`;
    } catch (err) {
      message.textContent = "the server did not answer; try again";
    }
    button.disabled = false;
    input.select();
  });
  parentElement.appendChild(form);
  parentElement.__mbForm = form;
  input.focus();
}
