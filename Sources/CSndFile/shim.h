// libsndfile (Debian libsndfile1-dev): WAV of every encoding, FLAC, Ogg, AIFF.
#include <sndfile.h>
