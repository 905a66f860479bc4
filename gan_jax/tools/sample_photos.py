"""python -m gan_jax.tools.sample_photos --out DIR: a photo folder (config.data.name=
'photo_folder') from the photographs that ship inside scikit-image and scikit-learn, for an
offline natural-image check of super-resolution. A small test set named as such, never Set5:

DIR/train/  whole photographs (random crops are taken in training): scikit-image's coffee,
            hubble_deep_field, immunohistochemistry and retina; scikit-learn's china, flower.
DIR/test/   the centred 256x256 crop of scikit-image's astronaut, chelsea and rocket (one
            size, so they batch; a multiple of every scale).
"""
from pathlib import Path

import numpy as np
from absl import app, flags
from PIL import Image

TRAIN_SKIMAGE = ('coffee', 'hubble_deep_field', 'immunohistochemistry', 'retina')
TRAIN_SKLEARN = ('china.jpg', 'flower.jpg')
TEST_SKIMAGE = ('astronaut', 'chelsea', 'rocket')
TEST_SIZE = 256


def centre_crop(image: np.ndarray, size: int) -> np.ndarray:
  top, left = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
  return image[top:top + size, left:left + size]


def photographs() -> dict[str, dict[str, np.ndarray]]:
  """{'train': {name: uint8 HWC RGB}, 'test': {...}}."""
  try:
    from skimage import data
    from sklearn.datasets import load_sample_image
  except ImportError as error:
    raise SystemExit(f'{error}: the sample photographs ship with scikit-image and '
                     'scikit-learn; pip install scikit-image scikit-learn.') from error
  train = {name: getattr(data, name)() for name in TRAIN_SKIMAGE}
  train.update({name.split('.')[0]: load_sample_image(name) for name in TRAIN_SKLEARN})
  test = {name: centre_crop(getattr(data, name)(), TEST_SIZE) for name in TEST_SKIMAGE}
  return {'train': train, 'test': test}


def write(out: Path) -> list[Path]:
  written = []
  for split, images in photographs().items():
    (out / split).mkdir(parents=True, exist_ok=True)
    for name, image in images.items():
      path = out / split / f'{name}.png'
      Image.fromarray(np.asarray(image, np.uint8)[..., :3]).save(path)
      written.append(path)
  return written


def main(argv):
  del argv
  written = write(Path(flags.FLAGS.out))
  print(f'{len(written)} photographs written under {flags.FLAGS.out} (train/, test/).')


if __name__ == '__main__':
  flags.DEFINE_string('out', None, 'Folder to write train/ and test/ into.', required=True)
  app.run(main)
