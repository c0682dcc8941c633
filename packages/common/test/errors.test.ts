// The error base: a stable code, the cause, the class name, and helpers for anything thrown.

import { expect } from 'chai';
import { MlayerError, ValidationError, errorCode, errorMessage } from '@mlayer/common';

class DemoError extends MlayerError {}

describe('errors', () => {
  it('carries a code, a message and the class name', () => {
    const err = new MlayerError('EDEMO', 'something failed');
    expect(err).to.be.instanceOf(Error);
    expect(err.code).to.equal('EDEMO');
    expect(err.message).to.equal('something failed');
    expect(err.name).to.equal('MlayerError');
    expect(String(err)).to.equal('MlayerError: something failed');
  });

  it('names a subclass after itself', () => {
    expect(new DemoError('E', 'm').name).to.equal('DemoError');
    expect(new ValidationError('bad').name).to.equal('ValidationError');
  });

  it('keeps the cause it was given, and has none otherwise', () => {
    const cause = new Error('ECONNRESET');
    expect(new MlayerError('ELINK', 'link lost', { cause }).cause).to.equal(cause);
    expect(new ValidationError('bad', { cause: 'text cause' }).cause).to.equal('text cause');
    expect(new MlayerError('ELINK', 'link lost')).not.to.have.property('cause');
  });

  it('gives every ValidationError the code EINVALID', () => {
    const err = new ValidationError('hosts[0].name must be unique');
    expect(err).to.be.instanceOf(MlayerError);
    expect(err.code).to.equal('EINVALID');
  });

  it('has a stack trace that starts with the name and message', () => {
    expect(new ValidationError('bad port').stack).to.match(/^ValidationError: bad port\n\s+at /);
  });

  describe('errorMessage', () => {
    it('returns the message of an Error and the text of anything else', () => {
      expect(errorMessage(new ValidationError('bad port'))).to.equal('bad port');
      expect(errorMessage(new TypeError('x is not a function'))).to.equal('x is not a function');
      expect(errorMessage('plain string')).to.equal('plain string');
      expect(errorMessage(42)).to.equal('42');
      expect(errorMessage(undefined)).to.equal('undefined');
      expect(errorMessage(null)).to.equal('null');
    });
  });

  describe('errorCode', () => {
    it('returns a string code from errors and error-like objects', () => {
      expect(errorCode(new MlayerError('EDEMO', 'm'))).to.equal('EDEMO');
      expect(errorCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).to.equal('ECONNREFUSED');
      expect(errorCode({ code: 'ENOENT' })).to.equal('ENOENT');
    });

    it('returns undefined when there is no string code', () => {
      expect(errorCode(new Error('no code'))).to.equal(undefined);
      expect(errorCode({ code: 404 })).to.equal(undefined);
      expect(errorCode('ENOENT')).to.equal(undefined);
      expect(errorCode(null)).to.equal(undefined);
      expect(errorCode(undefined)).to.equal(undefined);
    });
  });
});
