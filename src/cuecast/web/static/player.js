// The player as a coach on the mat: the exercise and side, a large countdown of the hold
// (or "N of M" in a rep block), the line being said, what comes next, and the time left;
// all read from the audio's own clock, so a seek or a stall never puts them out of step.
// The lock screen (Media Session) shows the exercise, seeks 10 s and jumps chapters.
"use strict";
(function () {
  const audio = document.getElementById("audio");
  const cues = JSON.parse(document.getElementById("cues").textContent);
  const $ = (id) => document.getElementById(id);
  const buttons = Array.from(document.querySelectorAll("button.chapter"));
  const { chapters, blocks, lines } = cues;
  const SEEK_S = 10;
  let shownChapter = -1;

  function lastAtOrBefore(items, ms) {
    let found = -1;
    for (let i = 0; i < items.length; i++) {
      if (items[i].start_ms <= ms) found = i; else break;
    }
    return found;
  }

  function clock(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function side(block) {
    return block && block.side ? `, ${block.side} side` : "";
  }

  const chapterAt = (ms) => Math.max(0, lastAtOrBefore(chapters, ms));

  // The block running at ms (index), or -1 between blocks.
  function blockAt(ms) {
    const i = lastAtOrBefore(blocks, ms);
    return i >= 0 && ms < blocks[i].end_ms ? i : -1;
  }

  // "Next: ..." the other side, a rest then the next exercise, this exercise's hold, or the
  // finish.
  function whatComesNext(ms, current) {
    const next = blocks[current >= 0 ? current + 1 : lastAtOrBefore(blocks, ms) + 1];
    if (!next) return "Next: the finish";
    if (current >= 0) {
      const block = blocks[current];
      if (next.exercise === block.exercise) return `Next: ${next.side || "again"}${next.side ? " side" : ""}`;
      const rest = lines.some((l) => l.phase === "rest" && l.start_ms >= block.end_ms &&
                                      l.start_ms < next.start_ms);
      return rest ? `Next: rest, then ${next.exercise}` : `Next: ${next.exercise}`;
    }
    if (chapters[chapterAt(ms)].title === next.exercise) {
      return `Next: ${next.reps ? next.reps + " reps" : "the hold"}${side(next)}`;
    }
    return `Next: ${next.exercise}`;
  }

  function update() {
    const ms = Math.round(audio.currentTime * 1000);
    const line = lastAtOrBefore(lines, ms);
    $("instruction").textContent = line >= 0 ? lines[line].text : "";
    const b = blockAt(ms);
    if (b >= 0) {
      const block = blocks[b];
      $("exercise").textContent = block.exercise + side(block);
      if (block.reps) {
        const rep = Math.min(block.reps, Math.floor((ms - block.start_ms) * block.reps /
                                                     (block.end_ms - block.start_ms)) + 1);
        $("block-label").textContent = "Rep";
        $("block-left").textContent = `${rep} of ${block.reps}`;
      } else {
        $("block-label").textContent = "Left in this hold";
        $("block-left").textContent = clock(block.end_ms - ms);
      }
    } else {
      const upcoming = blocks[lastAtOrBefore(blocks, ms) + 1];
      $("exercise").textContent = chapters[chapterAt(ms)].title;
      $("block-label").textContent = upcoming ? (upcoming.reps ? "Reps coming" : "Hold coming") : " ";
      $("block-left").textContent = upcoming
        ? (upcoming.reps ? String(upcoming.reps) : clock(upcoming.end_ms - upcoming.start_ms)) : "–";
    }
    $("next").textContent = whatComesNext(ms, b);
    $("session-left").textContent = clock(cues.duration_ms - ms);
    $("progress").value = Math.min(ms, cues.duration_ms);
    const c = chapterAt(ms);
    if (c !== shownChapter) {
      shownChapter = c;
      buttons.forEach((button, i) => button.classList.toggle("current", i === c));
      if ("mediaSession" in navigator) {
        navigator.mediaSession.metadata = new MediaMetadata({
          title: chapters[c].title, artist: "cuecast", album: cues.title,
          artwork: [{ src: "/static/icon-512.png", sizes: "512x512", type: "image/png" }],
        });
      }
    }
    if ("mediaSession" in navigator && "setPositionState" in navigator.mediaSession &&
        Number.isFinite(audio.duration)) {
      try {
        navigator.mediaSession.setPositionState({
          duration: audio.duration, playbackRate: audio.playbackRate,
          position: Math.min(audio.currentTime, audio.duration),
        });
      } catch (e) { /* a position past the end while the file loads: next time */ }
    }
  }

  function seek(seconds) {
    audio.currentTime = Math.min(Math.max(0, seconds), audio.duration || seconds);
    update();
  }

  function jump(index) {
    const i = Math.min(chapters.length - 1, Math.max(0, index));
    seek(chapters[i].start_ms / 1000);
    audio.play().catch(() => {});
  }

  buttons.forEach((button, i) => button.addEventListener("click", () => jump(i)));
  ["timeupdate", "seeked", "seeking", "loadedmetadata", "play", "pause", "ratechange"]
    .forEach((e) => audio.addEventListener(e, update));
  if ("mediaSession" in navigator) {
    const handlers = {
      play: () => audio.play(),
      pause: () => audio.pause(),
      seekbackward: (d) => seek(audio.currentTime - (d.seekOffset || SEEK_S)),
      seekforward: (d) => seek(audio.currentTime + (d.seekOffset || SEEK_S)),
      seekto: (d) => seek(d.seekTime),
      previoustrack: () => jump(chapterAt(audio.currentTime * 1000) - 1),
      nexttrack: () => jump(chapterAt(audio.currentTime * 1000) + 1),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try { navigator.mediaSession.setActionHandler(action, handler); } catch (e) { /* not here */ }
    }
  }
  update();

  // A programme's day: played to the end (or Done tapped) it is recorded as done, with how
  // far it was played; then how it felt, which sets the level of the next session.
  const practice = document.getElementById("practice");
  if (practice) {
    const day = Number(practice.dataset.day);
    const status = $("practice-status");
    let recorded = practice.dataset.done === "yes";

    function post(body) {
      return fetch("/api/today/done", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ day: day }, body)),
      }).then((r) => r.json().then((answer) => {
        if (!r.ok) throw new Error(answer.error || "not recorded");
        return answer;
      }));
    }

    function finished() {
      $("done").hidden = true;
      $("feedback").hidden = false;
      const played = Math.round(audio.currentTime * 1000);
      post({ played_ms: played })
        .then(() => { recorded = true; status.textContent = "Recorded as done."; })
        .catch((e) => { status.textContent = "Not recorded: " + e.message; });
    }

    $("done").addEventListener("click", finished);
    audio.addEventListener("ended", finished);
    document.querySelectorAll("button.feeling").forEach((button) => {
      button.addEventListener("click", () => {
        post({ felt: button.dataset.felt, played_ms: Math.round(audio.currentTime * 1000) })
          .then((answer) => {
            recorded = true;
            $("feedback").hidden = true;
            status.textContent = "Thank you: felt " + answer.felt + ". The next session is being made ready.";
            $("practice-next").hidden = false;
          })
          .catch((e) => { status.textContent = "Not recorded: " + e.message; });
      });
    });
    if (recorded) status.textContent = "Done already; you can still say how it felt.";
  }
})();
