// Log out: the server revokes the session and clears its cookie; then the app starts afresh.
export default function (component) {
  const { data, parentElement } = component;
  if (parentElement.__mbButton) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "mb-session-button";
  button.textContent = data.label;
  button.setAttribute("data-testid", "mb-logout");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await fetch(data.url, { method: "POST", credentials: "same-origin" });
    } finally {
      window.location.replace(window.location.origin + "/");
    }
  });
  parentElement.appendChild(button);
  parentElement.__mbButton = button;
}
