let audio: AudioContext | null = null;

/** A short beep (WebAudio, no sound file). */
function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch {
    // no audio output available
  }
}

/** Sound and/or desktop notification. The text never holds message content (shoulder surfing). */
export function alertUser(text: string, prefs: { sound: boolean; notify: boolean }): void {
  if (prefs.sound) beep();
  if (prefs.notify && typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.hidden) {
    new Notification('Lotse', { body: text, tag: 'lotse', silent: prefs.sound });
  }
}
