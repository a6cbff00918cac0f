// The player: chapters to jump to, the current instruction in large type, and the lock
// screen (Media Session) showing the exercise, its next/previous buttons jumping chapters.
"use strict";
(function () {
  const audio = document.getElementById("audio");
  const cues = JSON.parse(document.getElementById("cues").textContent);
  const instruction = document.getElementById("instruction");
  const exercise = document.getElementById("exercise");
  const buttons = Array.from(document.querySelectorAll("button.chapter"));
  const chapters = cues.chapters;
  let shownChapter = -1;

  function lastAtOrBefore(items, ms) {
    let found = -1;
    for (let i = 0; i < items.length; i++) {
      if (items[i].start_ms <= ms) found = i; else break;
    }
    return found;
  }

  function chapterAt(ms) {
    return Math.max(0, lastAtOrBefore(chapters, ms));
  }

  function update() {
    const ms = Math.round(audio.currentTime * 1000);
    const line = lastAtOrBefore(cues.lines, ms);
    instruction.textContent = line >= 0 ? cues.lines[line].text : "";
    const c = chapterAt(ms);
    if (c !== shownChapter) {
      shownChapter = c;
      buttons.forEach((b, i) => b.classList.toggle("current", i === c));
      exercise.textContent = chapters[c].title;
      if ("mediaSession" in navigator) {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: chapters[c].title, artist: "cuecast", album: cues.title,
        });
      }
    }
  }

  function jump(index) {
    const i = Math.min(chapters.length - 1, Math.max(0, index));
    audio.currentTime = chapters[i].start_ms / 1000;
    update();
    audio.play().catch(() => {});
  }

  buttons.forEach((button, i) => button.addEventListener("click", () => jump(i)));
  ["timeupdate", "seeked", "loadedmetadata", "play"].forEach((e) => audio.addEventListener(e, update));
  if ("mediaSession" in navigator) {
    const session = navigator.mediaSession;
    const handlers = {
      play: () => audio.play(),
      pause: () => audio.pause(),
      nexttrack: () => jump(chapterAt(audio.currentTime * 1000) + 1),
      previoustrack: () => jump(chapterAt(audio.currentTime * 1000) - 1),
      seekto: (d) => { audio.currentTime = d.seekTime; update(); },
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try { session.setActionHandler(action, handler); } catch (e) { /* not offered here */ }
    }
  }
  update();
})();
