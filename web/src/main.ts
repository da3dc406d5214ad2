import { mount } from "svelte";
import App from "./App.svelte";
import { applyPalette } from "./lib/theme/palette";
import "./app.css";

// The palette's colours become CSS custom properties before anything is drawn.
applyPalette(document.documentElement.style);
const target = document.getElementById("app")!;
target.innerHTML = "";
mount(App, { target });
